import { readFileSync } from 'node:fs';
import { prepareImport } from '../src/index.js';
import { validateCda } from '../src/validate/validator.js';
import { residentIdProblem } from '../src/validate/resident-id.js';
import type { CodeChecker } from '../src/validate/codes.js';
import { DOCUMENT_TYPES } from '../src/tables/document-types.js';
import { documentXml, residentId } from './fixtures/documents.js';

const c0002 = documentXml('C0002');
const ids = (xml: string, options = {}) => validateCda(xml, options).map((i) => i.id);

describe('document types table', () => {
  it('lists the 53 WS/T 500 types with code C00nn and template 2.16.156.10011.2.1.1.(20+n)', () => {
    const wst500 = DOCUMENT_TYPES.filter((t) => t.standard === 'WS/T 500');
    expect(wst500).toHaveLength(53);
    for (const t of wst500) {
      expect(t.code).toBe(`C${String(t.part).padStart(4, '0')}`);
      expect(t.templateId).toBe(`2.16.156.10011.2.1.1.${20 + t.part}`);
    }
    expect(wst500.find((t) => t.part === 53)?.title).toBe('出院小结');
    expect(DOCUMENT_TYPES.find((t) => t.standard === 'WS/T 483' && t.part === 20)?.title).toBe('转诊(院)记录');
  });
});

describe('resident ID (GB 11643)', () => {
  it('accepts a correct check character, including X', () => {
    expect(residentIdProblem(residentId())).toBeUndefined();
    expect(residentIdProblem('11010519491231002X')).toBeUndefined();
  });
  it('rejects a wrong check character, a bad date, a bad format', () => {
    expect(residentIdProblem('110105194912310021')?.en).toBe('the check character should be X');
    expect(residentIdProblem('110105194913310020')?.en).toContain('birth date');
    expect(residentIdProblem('11010519491231')?.en).toContain('17 digits');
  });
});

describe('$cda-validate rules', () => {
  it('a complete document has no issues', () => {
    expect(validateCda(c0002)).toEqual([]);
  });

  it('reports a template that disagrees with the document code, with its XPath', () => {
    const [issue] = validateCda(c0002.replace('2.16.156.10011.2.1.1.22', '2.16.156.10011.2.1.1.27'));
    expect(issue).toEqual({
      severity: 'error',
      code: 'invalid',
      id: 'CDA-HDR-008',
      zh: '模板标识 2.16.156.10011.2.1.1.27 与文档类型 C0002 不一致（应为 2.16.156.10011.2.1.1.22）',
      en: 'templateId 2.16.156.10011.2.1.1.27 does not agree with document type C0002 (expected 2.16.156.10011.2.1.1.22)',
      expression: '/ClinicalDocument/templateId/@root',
    });
  });

  it('checks the resident ID check digit', () => {
    const bad = residentId().slice(0, 17) + (residentId().endsWith('0') ? '1' : '0');
    const issue = validateCda(documentXml('C0002', { residentId: bad })).find((i) => i.id === 'CDA-ID-001');
    expect(issue?.expression).toBe('/ClinicalDocument/recordTarget/patientRole/patient/id/@extension');
    expect(issue?.severity).toBe('error');
  });

  it('requires the sections and entries of the document type', () => {
    const noChief = c0002.replace(/<component>\s*<section>\s*<code code="10154-3"[\s\S]*?<\/section>\s*<\/component>/, '');
    const issue = validateCda(noChief).find((i) => i.id === 'CDA-BODY-002');
    expect(issue?.zh).toBe('C0002 门(急)诊病历 缺少必需章节 主诉章节');
    const noDiagnosisCode = c0002.replace('code="DE05.01.024.00"', 'code="DE05.01.025.00"');
    expect(ids(noDiagnosisCode)).toContain('CDA-BODY-003');
  });

  it('checks data-element codes, value types and code systems', () => {
    expect(ids(c0002.replace('code="DE04.01.119.00"', 'code="DE4.1.119"'))).toEqual(['CDA-BODY-004', 'CDA-BODY-003']);
    const wrongSystem = validateCda(c0002.replace('codeSystem="2.16.156.10011.2.3.3.11"', 'codeSystem="2.16.840.1.113883.6.90"'));
    expect(wrongSystem.map((i) => i.id)).toEqual(['CDA-BODY-006']);
    expect(wrongSystem[0]?.expression).toMatch(/^\/ClinicalDocument\/component\/structuredBody\/component\[3\]\/section\/entry\/observation\/value\/@codeSystem$/);
    expect(ids(c0002.replace('code="J20.900"', 'code="bronchitis"'))).toEqual(['CDA-VS-001']);
    expect(ids(c0002.replace('<value xsi:type="ST">反复咳嗽3天</value>', '<value xsi:type="PQ" value="3" unit="d"/>'))).toEqual(['CDA-BODY-005']);
  });

  it('checks the national header extensions and unknown header elements', () => {
    expect(ids(c0002.replace('<age value="44" unit="岁"/>', '<age value="old"/>'))).toEqual(['CDA-HDR-018']);
    expect(ids(c0002.replace('<languageCode code="zh-CN"/>', '<languageCode code="zh-CN"/><mood/>'))).toEqual(['CDA-HDR-020']);
    expect(ids(c0002.replace('<administrativeGenderCode code="1"', '<administrativeGenderCode code="5"'))).toEqual(['CDA-BODY-007']);
  });

  it('rules are data: a platform relaxes or switches them off', () => {
    const noLegal = c0002.replace(/<legalAuthenticator>[\s\S]*?<\/legalAuthenticator>/, '');
    expect(validateCda(noLegal)[0]?.severity).toBe('warning');
    expect(validateCda(noLegal, { overrides: { 'CDA-HDR-017': { severity: 'error' } } })[0]?.severity).toBe('error');
    expect(validateCda(noLegal, { overrides: { 'CDA-HDR-017': { enabled: false } } })).toEqual([]);
  });

  it('asks the CodeChecker, and a miss in a partly loaded code system is a warning', () => {
    const partial: CodeChecker = { check: (system) => (system === '2.16.156.10011.2.3.3.11' ? 'partial' : 'valid') };
    const [issue] = validateCda(c0002, { codes: partial });
    expect(issue).toMatchObject({ id: 'CDA-BODY-008', severity: 'warning' });
  });

  it('a hand-written lab report and every mapped type except header-only ones validate', () => {
    expect(validateCda(readFileSync(new URL('./fixtures/C0007-lab-report.xml', import.meta.url)))).toEqual([]);
  });

  it('takes the CDA namespace by prefix too, and refuses other roots', () => {
    const prefixed = c0002.replace('<ClinicalDocument xmlns="urn:hl7-org:v3"', '<cda:ClinicalDocument xmlns:cda="urn:hl7-org:v3" xmlns="urn:hl7-org:v3"').replace('</ClinicalDocument>', '</cda:ClinicalDocument>');
    expect(validateCda(prefixed)).toEqual([]);
    expect(ids(c0002.replace('xmlns="urn:hl7-org:v3"', 'xmlns="urn:example"'))).toEqual(['CDA-HDR-001']);
  });

  it('a type mapped for its header only is accepted with an information issue', () => {
    const xml = c0002.replace('code="C0002"', 'code="C0004"').replace('2.16.156.10011.2.1.1.22', '2.16.156.10011.2.1.1.24');
    expect(validateCda(xml).map((i) => [i.id, i.severity])).toEqual([['CDA-DOC-001', 'information']]);
  });
});

describe('what import would reject is caught by validation first', () => {
  const issuesOf = (xml: string) => validateCda(xml).map((i) => [i.id, i.severity, i.expression]);

  it('impossible calendar dates and times are errors, in the header and the body', () => {
    expect(issuesOf(c0002.replace('<effectiveTime value="20240105100000"/>', '<effectiveTime value="20241305100000"/>'))).toEqual([
      ['CDA-HDR-010', 'error', '/ClinicalDocument/effectiveTime/@value'],
    ]);
    expect(issuesOf(c0002.replace('<birthTime value="19800101"/>', '<birthTime value="19800231"/>'))).toEqual([
      ['CDA-HDR-010', 'error', '/ClinicalDocument/recordTarget/patientRole/patient/birthTime/@value'],
    ]);
    expect(issuesOf(c0002.replace('<low value="20240105080000"/>', '<low value="20240105250000"/>'))).toEqual([
      ['CDA-HDR-010', 'error', '/ClinicalDocument/componentOf/encompassingEncounter/effectiveTime/low/@value'],
    ]);
    const body = validateCda(c0002.replace('<effectiveTime value="20240105"/>', '<effectiveTime value="20240230"/>'));
    expect(body.map((i) => [i.id, i.severity, i.en])).toEqual([['CDA-BODY-011', 'error', 'effectiveTime is not a valid CDA time: 20240230']]);
    expect(body[0]?.expression).toMatch(/^\/ClinicalDocument\/component\/structuredBody\/component\[\d+\]\/section\/entry\/observation\/effectiveTime\/@value$/);
    // Leap days, a zone, fractions of a second are fine; a zone of 25 hours and minute 60 are not.
    expect(issuesOf(c0002.replace('<birthTime value="19800101"/>', '<birthTime value="20000229"/>'))).toEqual([]);
    expect(issuesOf(c0002.replace('<effectiveTime value="20240105100000"/>', '<effectiveTime value="20240105100000.123+0800"/>'))).toEqual([]);
    expect(issuesOf(c0002.replace('<birthTime value="19800101"/>', '<birthTime value="19000229"/>')).map(([id]) => id)).toEqual(['CDA-HDR-010']);
    expect(issuesOf(c0002.replace('<effectiveTime value="20240105100000"/>', '<effectiveTime value="20240105100000+2500"/>')).map(([id]) => id)).toEqual(['CDA-HDR-010']);
    expect(issuesOf(c0002.replace('<effectiveTime value="20240105100000"/>', '<effectiveTime value="20240105106000"/>')).map(([id]) => id)).toEqual(['CDA-HDR-010']);
  });

  it('the confidentiality code must be one FHIR accepts (Composition.confidentiality is a required binding)', () => {
    expect(issuesOf(c0002.replace('<confidentialityCode code="N"', '<confidentialityCode code="Q"'))).toEqual([
      ['CDA-BODY-007', 'error', '/ClinicalDocument/confidentialityCode/@code'],
    ]);
    expect(issuesOf(c0002.replace('<confidentialityCode code="N"', '<confidentialityCode code="R"'))).toEqual([]);
  });
});

describe('code format before the code table', () => {
  const partialIcd: CodeChecker = { check: (system) => (system === '2.16.156.10011.2.3.3.11' ? 'partial' : 'valid') };

  it('a code not even well-formed for its code system is an error, whatever a partly loaded table says', () => {
    const issues = validateCda(c0002.replace('code="J20.900"', 'code="ZZZ"'), { codes: partialIcd });
    expect(issues.map((i) => [i.id, i.severity])).toEqual([['CDA-VS-001', 'error']]);
    expect(issues[0]?.expression).toMatch(/\/entry\/observation\/value\/@code$/);
  });

  it('a well-formed code missing from a partly loaded code system stays a warning', () => {
    for (const code of ['J06.900', 'J18.900x001', 'A15.0+', 'K80.2', 'I10.x00', 'I10.x00x002']) {
      expect(validateCda(c0002.replace('code="J20.900"', `code="${code}"`), { codes: partialIcd }).map((i) => [i.id, i.severity])).toEqual([['CDA-BODY-008', 'warning']]);
    }
  });

  it('the default checker takes the national clinical ICD-10 extension codes', () => {
    expect(ids(c0002.replace('code="J20.900"', 'code="J18.900x001"'))).toEqual([]);
    expect(ids(c0002.replace('code="J20.900"', 'code="j20.9"'))).toEqual(['CDA-VS-001']);
  });
});

describe('prepareImport', () => {
  it('names the document type of a document the validator rejects, so its refusal is logged with it', () => {
    const rejected = prepareImport(Buffer.from(documentXml('C0002', { residentId: '110105198001010010' })));
    expect(rejected.issues.some((i) => i.severity === 'error')).toBe(true);
    expect(rejected.transaction).toBeUndefined();
    expect(rejected.code).toBe('C0002');
    expect(prepareImport(Buffer.from('<ClinicalDocument')).code).toBeUndefined();
  });
});
