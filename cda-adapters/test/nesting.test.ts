import { prepareImport } from '../src/index.js';
import { LIMITS } from '../src/tables/limits.js';
import { validateCda } from '../src/validate/validator.js';
import { documentXml } from './fixtures/documents.js';

/** C0001 with `depth` sections nested one in another, added as the body's first section. */
function nested(depth: number): string {
  const open = '<component><section><title>层</title>'.repeat(depth);
  const close = '</section></component>'.repeat(depth);
  return documentXml('C0001').replace('<structuredBody>', `<structuredBody>${open}${close}`);
}

describe('nesting limits: errors with an XPath, never a stack overflow', () => {
  it('sections nested deeper than the limit are an error at the first section too deep', () => {
    expect(validateCda(nested(LIMITS.sectionDepth)).filter((i) => i.severity === 'error')).toEqual([]);
    const issues = validateCda(nested(LIMITS.sectionDepth + 5));
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    expect(issue).toMatchObject({ id: 'CDA-BODY-010', severity: 'error', code: 'structure' });
    expect(issue?.zh).toContain(`${LIMITS.sectionDepth}`);
    const steps = `/ClinicalDocument/component/structuredBody/component[1]/section${'/component/section'.repeat(LIMITS.sectionDepth)}`;
    expect(issue?.expression).toBe(steps);
  });

  it('elements nested deeper than the parser allows are an error (422 on import), not a crash', () => {
    for (const depth of [2000, 20000]) {
      const { issues, transaction } = prepareImport(Buffer.from(nested(depth)));
      expect(transaction).toBeUndefined();
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ id: 'CDA-XML-007', severity: 'error' });
      // The element one level below the limit: ClinicalDocument/component/structuredBody, then component/section pairs.
      expect(issues[0]?.expression?.split('/')).toHaveLength(LIMITS.elementDepth + 2);
      expect(issues[0]?.expression).toMatch(/^\/ClinicalDocument\/component\[1\]\/structuredBody\[1\]\/component\[1\]\/section\[1\]\/component\[1\]\/section\[1\]\//);
    }
  });

  it('entryRelationships nested past the element limit are refused the same way', () => {
    const open = '<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">'.repeat(20000);
    const close = '</observation></entryRelationship>'.repeat(20000);
    const xml = documentXml('C0001').replace('<observation classCode="OBS" moodCode="EVN">', `<observation classCode="OBS" moodCode="EVN">${open}${close}`);
    expect(validateCda(xml).map((i) => i.id)).toEqual(['CDA-XML-007']);
  });
});
