import { readFileSync } from 'node:fs';
import { createTerminology, shippedContent } from '@qiao/terminology';
import { CODED_ELEMENTS, DATA_ELEMENTS, type Binding } from '../src/tables/data-elements.js';
import { validateCda, type CodeChecker } from '../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/**
 * The shipped national content, asked the way a platform asks it (bare OID → `urn:oid:`), so the
 * binding table is tested against the real value sets rather than against a list of its own.
 */
const terminology = createTerminology({ resources: shippedContent() });
const shipped: CodeChecker = {
  check(system, code) {
    const answer = terminology.validateCode({ system: `urn:oid:${system}`, code });
    if (answer.result) return 'valid';
    if (!answer.unknownSystem) return 'invalid';
    return answer.issues.some((i) => i.id === 'TX-INCOMPLETE-SYSTEM') ? 'partial' : 'unknown-system';
  },
};

const bindings: [string, Binding][] = [
  ...Object.entries(DATA_ELEMENTS).flatMap(([de, d]) => (d.binding ? [[de, d.binding] as [string, Binding]] : [])),
  ...Object.values(CODED_ELEMENTS).map((e) => [e.de, e.binding] as [string, Binding]),
];

describe('data elements bound to the national value sets', () => {
  it('binds every coded element to a value set the terminology ships under the same OID', () => {
    expect(bindings.length).toBeGreaterThanOrEqual(13);
    for (const [de, binding] of bindings) {
      const cs = terminology.codeSystem(`urn:oid:${binding.valueSet}`);
      expect({ de, found: cs?.url }).toEqual({ de, found: `urn:oid:${binding.valueSet}` });
    }
  });

  it('a front page with the standard codes validates clean', () => {
    expect(validateCda(fixture('C0032-front-page.xml'), { codes: shipped })).toEqual([]);
  });

  it('a front page with codes outside their value sets gets one issue per code, error or warning by binding', () => {
    const issues = validateCda(fixture('C0032-front-page-wrong-codes.xml'), { codes: shipped });
    const summary = issues.map((i) => `${i.id} ${i.severity} ${(i.expression ?? '').replace(/^.*\/section\//, '')}`);
    expect(summary).toEqual([
      'CDA-VS-001 error entry/procedure/entryRelationship[2]/observation/value/@code',
      'CDA-VS-001 error entry/procedure/entryRelationship[4]/observation/value/@code',
      'CDA-BODY-006 error entry/organizer/component[2]/observation/value/@codeSystem',
      'CDA-VS-001 error entry/substanceAdministration/routeCode/@code',
      'CDA-VS-002 warning entry[2]/observation/value/@code',
    ]);
    const level = issues.find((i) => i.expression?.includes('entryRelationship[2]'));
    expect(level?.zh).toBe('数据元 DE06.00.255.00（手术级别代码）的代码 5 不在其值集 2.16.156.10011.2.3.1.258 中');
    expect(level?.en).toBe('code 5 of data element DE06.00.255.00 (手术级别代码) is not in its value set 2.16.156.10011.2.3.1.258');
  });

  it('a platform can make a preferred binding strict through the rule overrides', () => {
    const issues = validateCda(fixture('C0032-front-page-wrong-codes.xml'), { codes: shipped, overrides: { 'CDA-VS-002': { severity: 'error' } } });
    expect(issues.filter((i) => i.severity === 'error')).toHaveLength(5);
  });

  it('without a terminology service the bound tables are not guessed at', () => {
    expect(validateCda(fixture('C0032-front-page-wrong-codes.xml')).map((i) => i.id)).toEqual(['CDA-BODY-006']);
  });

  describe('输血品种, 专业技术职务, 检查结果, 输血史标识 and 医嘱类别', () => {
    const T = '2.16.156.10011.2.3';
    // data element, name, a code of the table, a code outside it, the table's OID
    const rows: [string, string, string, string, string][] = [
      ['DE08.50.040.00', '输血品种代码', '42', '7', `${T}.1.251`],
      ['DE08.30.031.00', '专业技术职务类别代码', '3', '6', `${T}.1.209`],
      ['DE04.30.017.00', '检查/检验结果代码', '1', '4', `${T}.2.38`],
      ['DE06.00.106.00', '输血史标识代码', '9', '3', `${T}.2.42`],
      ['DE06.00.286.00', '医嘱类别', '2', '0', `${T}.2.58`],
    ];
    /** The front page with one observation per row appended to its last section. */
    const frontPageWith = (pick: (row: [string, string, string, string, string]) => string) => {
      const entries = rows
        .map((row) => {
          const [de, name, , , oid] = row;
          return `<entry><observation classCode="OBS" moodCode="EVN"><code code="${de}" codeSystem="2.16.156.10011.2.2.1" displayName="${name}"/><value xsi:type="CD" code="${pick(row)}" codeSystem="${oid}"/></observation></entry>`;
        })
        .join('');
      const xml = fixture('C0032-front-page.xml').toString('utf8');
      const out = xml.replace(/(<\/section>\s*<\/component>\s*<\/structuredBody>)/, `${entries}$1`);
      expect(out).not.toBe(xml);
      return Buffer.from(out, 'utf8');
    };

    it('binds each data element to its table', () => {
      for (const [de, , , , oid] of rows) expect({ de, valueSet: [DATA_ELEMENTS[de]?.binding?.valueSet] }).toEqual({ de, valueSet: [oid] });
    });

    it('codes of the tables validate clean', () => {
      expect(validateCda(frontPageWith((r) => r[2]), { codes: shipped })).toEqual([]);
    });

    it('codes outside them are refused, 专业技术职务 (preferred: the table lacks 待聘) with a warning', () => {
      const issues = validateCda(frontPageWith((r) => r[3]), { codes: shipped });
      expect(issues.map((i) => [i.id, i.severity, i.expression?.replace(/^.*\/section\//, '')])).toEqual([
        ['CDA-VS-001', 'error', 'entry[3]/observation/value/@code'],
        ['CDA-VS-002', 'warning', 'entry[4]/observation/value/@code'],
        ['CDA-VS-001', 'error', 'entry[5]/observation/value/@code'],
        ['CDA-VS-001', 'error', 'entry[6]/observation/value/@code'],
        ['CDA-VS-001', 'error', 'entry[7]/observation/value/@code'],
      ]);
      expect(issues[0]?.zh).toBe(`数据元 DE08.50.040.00（输血品种代码）的代码 7 不在其值集 ${T}.1.251 中`);
      expect(issues[4]?.en).toBe(`code 0 of data element DE06.00.286.00 (医嘱类别) is not in its value set ${T}.2.58`);
    });
  });
});
