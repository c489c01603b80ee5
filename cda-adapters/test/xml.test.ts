import { CdaError } from '../src/issues.js';
import { cdaToFhir } from '../src/map/document.js';
import { decodeDocument } from '../src/xml/decode.js';
import { parseXml } from '../src/xml/dom.js';
import { validateCda } from '../src/validate/validator.js';
import { documentXml, encoderFor } from './fixtures/documents.js';

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof CdaError) return error.issues;
    throw error;
  }
  throw new Error('no error');
}

describe('decoding', () => {
  it.each(['GB18030', 'GBK', 'gb2312'] as const)('honours encoding="%s" in the prolog', (label) => {
    const xml = documentXml('C0002').replace('encoding="UTF-8"', `encoding="${label}"`);
    const bytes = encoderFor(label === 'GB18030' ? 'gb18030' : 'gbk')(xml);
    expect(bytes.equals(Buffer.from(xml))).toBe(false);
    expect(decodeDocument(bytes)).toBe(xml);
    const patient = cdaToFhir(parseXml(decodeDocument(bytes))).entries.find((e) => e.resource.resourceType === 'Patient');
    expect((patient?.resource as { name: { text: string }[] }).name[0]?.text).toBe('王小明');
  });

  it('reads UTF-8 with and without a BOM', () => {
    const xml = documentXml('C0001');
    expect(decodeDocument(Buffer.from(xml))).toBe(xml);
    expect(decodeDocument(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]))).toBe(xml);
  });

  it('refuses bytes invalid in the declared encoding and unknown encodings', () => {
    const bad = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="UTF-8"?><a>'), Buffer.from([0xd6, 0xd0]), Buffer.from('</a>')]);
    expect(issuesOf(() => decodeDocument(bad))[0]).toMatchObject({ id: 'CDA-XML-002', severity: 'fatal' });
    expect(issuesOf(() => decodeDocument(Buffer.from('<?xml version="1.0" encoding="EBCDIC-CP-US"?><a/>')))[0]).toMatchObject({ id: 'CDA-XML-001' });
  });
});

describe('parsing', () => {
  it('refuses a DOCTYPE (no entity expansion) with its position', () => {
    const xml = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<ClinicalDocument>&e;</ClinicalDocument>';
    const [issue] = issuesOf(() => parseXml(xml));
    expect(issue).toMatchObject({ id: 'CDA-XML-004', severity: 'fatal' });
    expect(issue?.en).toContain('line 2, column 1');
  });

  it('reports malformed XML with line and column', () => {
    const xml = documentXml('C0007').replace('<title>检验报告</title>', '<title>检验报告</titel>');
    const line = xml.split('\n').findIndex((l) => l.includes('</titel>')) + 1;
    const [issue] = validateCda(xml);
    expect(issue).toMatchObject({ id: 'CDA-XML-005', severity: 'fatal', code: 'structure' });
    expect(issue?.en).toMatch(new RegExp(`^line ${line}, column \\d+: malformed XML`));
    expect(issue?.zh).toContain(`第 ${line} 行`);
  });

  it('decodes the predefined entities and character references', () => {
    const root = parseXml('<a x="&lt;&#x4E2D;&#25991;&gt;">&amp;&quot;</a>');
    expect(root.attrs.x).toBe('<中文>');
    expect(root.children).toEqual(['&"']);
  });

  it('maps a 20 MB document without holding many copies of it', () => {
    const one = documentXml('C0007');
    const start = one.indexOf('<entry>', one.indexOf('检验章节'));
    const end = one.lastIndexOf('</entry>') + '</entry>'.length;
    const item = one.slice(start, end);
    const copies = Math.ceil((20 * 1024 * 1024) / item.length);
    const big = Buffer.from(one.slice(0, start) + item.repeat(copies) + one.slice(end));
    expect(big.length).toBeGreaterThan(20 * 1024 * 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    const mapped = cdaToFhir(parseXml(decodeDocument(big)));
    const grown = process.memoryUsage().rss - before;
    expect(mapped.entries.length).toBeGreaterThan(copies);
    // The document, its text and the resources made from it: bounded by a small multiple of its size.
    expect(grown).toBeLessThan(40 * big.length);
  });
});
