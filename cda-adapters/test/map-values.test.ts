import { readFileSync } from 'node:fs';
import { cdaToFhir } from '../src/map/document.js';
import { LIMITS } from '../src/tables/limits.js';
import { readValue } from '../src/map/values.js';
import { validateCda } from '../src/validate/validator.js';
import { parseXml, textOf } from '../src/xml/dom.js';

describe('reading CDA values', () => {
  it('reads wrapped base64 (ED) as one string without line breaks, from the element’s own text only', () => {
    const value = parseXml(
      '<value xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ED" representation="B64" mediaType="image/png">\r\n  iVBORw0K\r\n  GgoAAAAN\n<thumbnail representation="B64">AAAA</thumbnail>\n  SUhEUg==\n</value>',
    );
    expect(readValue(value)).toEqual({ type: 'ED', mediaType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' });
  });
});

// Nesting as deep as the parser accepts (LIMITS.elementDepth; nesting.test.ts covers beyond it).
describe('deeply nested documents', () => {
  const lab = readFileSync(new URL('./fixtures/C0007-lab-report.xml', import.meta.url), 'utf8');

  it('reads data elements nested 100 observations deep, every one of them, in document order', () => {
    const depth = 100;
    const nested = (i: number) => `<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN"><code code="DE99.00.${i}" codeSystem="2.16.156.10011.2.2.1"/><value xsi:type="ST">v${i}</value>`;
    let chain = '';
    for (let i = 0; i < depth; i++) chain += nested(i);
    const xml = lab.replace('</organizer>', `<component><observation classCode="OBS" moodCode="EVN"><code code="DE99.99.999" codeSystem="2.16.156.10011.2.2.1"/>${chain}${'</observation></entryRelationship>'.repeat(depth)}</observation></component></organizer>`);
    const deep = cdaToFhir(parseXml(xml))
      .entries.map((e) => e.resource)
      .find((r) => ((r.component as { code: { coding: { code: string }[] } }[] | undefined) ?? []).some((c) => c.code.coding[0]?.code === 'DE99.00.0'));
    const codes = (deep?.component as { code: { coding: { code: string }[] } }[]).map((c) => c.code.coding[0]?.code).filter((c) => c?.startsWith('DE99.00.'));
    expect(codes).toHaveLength(depth);
    expect(codes.slice(0, 3)).toEqual(['DE99.00.0', 'DE99.00.1', 'DE99.00.2']);
  });

  it('reads the text of a section nested as deep as the parser allows', () => {
    const depth = LIMITS.elementDepth - 1;
    const root = parseXml(`<text>a ${'<content>'.repeat(depth)}b${'</content>'.repeat(depth)} c</text>`);
    expect(textOf(root)).toBe('a b c');
  });
});

describe('validating hostile shapes', () => {
  const lab = readFileSync(new URL('./fixtures/C0007-lab-report.xml', import.meta.url), 'utf8');

  it('checks a data element nested 100 observations deep and names its XPath', () => {
    const depth = 100;
    const open = '<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">';
    const innermost = '<code code="DE99.1" codeSystem="2.16.156.10011.2.2.1"/>';
    const xml = lab.replace('</organizer>', `<component><observation classCode="OBS" moodCode="EVN">${open.repeat(depth)}${innermost}${'</observation></entryRelationship>'.repeat(depth)}</observation></component></organizer>`);
    const bad = validateCda(xml).filter((i) => i.id === 'CDA-BODY-004');
    expect(bad).toHaveLength(1);
    expect(bad[0]?.expression?.split('/entryRelationship/observation')).toHaveLength(depth + 1);
    expect(bad[0]?.expression).toMatch(/\/entryRelationship\/observation\/code\/@code$/);
  });

  it('numbers 20,000 sibling entries in their XPaths in document order', () => {
    const n = 20_000;
    const entry = (i: number) => `<entry><observation classCode="OBS" moodCode="EVN"><code code="${i === n - 1 ? 'BAD' : 'DE04.50.102.00'}" codeSystem="2.16.156.10011.2.2.1"/></observation></entry>`;
    const entries = Array.from({ length: n }, (_, i) => entry(i)).join('');
    const xml = lab.replace(/(<section>)/, `$1${entries}`);
    const bad = validateCda(xml).filter((i) => i.id === 'CDA-BODY-004');
    expect(bad.map((i) => i.expression)).toEqual([expect.stringMatching(new RegExp(`/section/entry\\[${n}\\]/observation/code/@code$`))]);
  });
});
