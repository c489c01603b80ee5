import { readFileSync } from 'node:fs';
import { validateCda } from '../src/validate/validator.js';
import { documentXml, FULLY_MAPPED } from './fixtures/documents.js';

const c0001 = documentXml('C0001');
const issuesOf = (xml: string) => validateCda(xml).map((i) => [i.id, i.severity, i.expression, i.en]);

describe('CDA R2 schema structure (tables/cda-schema.ts)', () => {
  it('the synthetic documents of every mapped type and the hand-written ones follow the schema', () => {
    for (const code of FULLY_MAPPED) expect([code, validateCda(documentXml(code)).filter((i) => /^CDA-(SCH|HDR-020)/.test(i.id))]).toEqual([code, []]);
    for (const name of ['C0007-lab-report.xml', 'C0032-front-page.xml']) {
      expect(validateCda(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))).toEqual([]);
    }
  });

  it('an element out of schema order', () => {
    const xml = c0001.replace('<title>病历概要</title>', '').replace('</legalAuthenticator>', '</legalAuthenticator><title>病历概要</title>');
    expect(issuesOf(xml)).toEqual([['CDA-SCH-001', 'error', '/ClinicalDocument/title', '<title> is out of CDA R2 schema order (it cannot follow <legalAuthenticator>)']]);
  });

  it('unknown elements in a section, an author, an observation', () => {
    expect(issuesOf(c0001.replace('<title>诊断记录</title>', '<title>诊断记录</title><bogusElement foo="bar">x</bogusElement>'))).toEqual([
      ['CDA-HDR-020', 'error', '/ClinicalDocument/component/structuredBody/component[1]/section/bogusElement', '<bogusElement> is not an element CDA R2 or its national extensions allow here'],
    ]);
    expect(issuesOf(c0001.replace('<assignedAuthor>', '<assignedAuthor><favouriteColour>blue</favouriteColour>')).map(([id, , path]) => [id, path])).toEqual([
      ['CDA-HDR-020', '/ClinicalDocument/author/assignedAuthor/favouriteColour'],
    ]);
    expect(issuesOf(c0001.replace('<effectiveTime value="20240105"/>', '<effectiveTime value="20240105"/><mood/>')).map(([id, , path]) => [id, path])).toEqual([
      ['CDA-HDR-020', '/ClinicalDocument/component/structuredBody/component[1]/section/entry/observation/mood'],
    ]);
  });

  it('cardinality: two document ids, an entry with two acts, an organizer without statusCode', () => {
    expect(issuesOf(c0001.replace(/(<id root="2.16.156.10011.1.1" extension="DOC-C0001-0001"\/>)/, '$1<id root="2.16.156.10011.1.1" extension="B"/>'))).toEqual([
      ['CDA-SCH-002', 'error', '/ClinicalDocument/id', '<id> occurs 2 times; the CDA R2 schema allows 0..1'],
    ]);
    const twoActs = c0001.replace(/(<entry>)(\s*<observation[\s\S]*?<\/observation>)/, '$1$2$2');
    expect(issuesOf(twoActs).map(([id, , path]) => [id, path])).toEqual([
      ['CDA-SCH-002', '/ClinicalDocument/component/structuredBody/component[1]/section/entry/(act|encounter|observation|observationMedia|organizer|procedure|regionOfInterest|substanceAdministration|supply)'],
    ]);
    const lab = documentXml('C0007').replace('<statusCode code="completed"/>', '');
    expect(issuesOf(lab).map(([id, , path]) => [id, path])).toEqual([['CDA-SCH-002', '/ClinicalDocument/component/structuredBody/component[1]/section/entry[2]/organizer/statusCode']]);
  });

  it('attribute values CDA R2 fixes', () => {
    expect(issuesOf(c0001.replace('<entry>', '<entry typeCode="NOPE">'))).toEqual([
      ['CDA-SCH-003', 'error', '/ClinicalDocument/component/structuredBody/component[1]/section/entry/@typeCode', 'attribute typeCode="NOPE" is not a value CDA R2 allows (COMP, DRIV)'],
    ]);
    expect(issuesOf(c0001.replace('<observation classCode="OBS" moodCode="EVN">', '<observation classCode="OBS" moodCode="SOMETIMES">')).map(([id, , path]) => [id, path])).toEqual([
      ['CDA-SCH-003', '/ClinicalDocument/component/structuredBody/component[1]/section/entry/observation/@moodCode'],
    ]);
  });

  it('the patient may carry several person identifiers', () => {
    expect(issuesOf(c0001.replace('<name>王小明</name>', '<id root="2.16.156.10011.1.2" extension="HR-1"/><name>王小明</name>'))).toEqual([]);
  });

  it('national extensions are allowed where WS/T 500 documents put them', () => {
    expect(issuesOf(c0001.replace('<age value="44" unit="岁"/>', '<patientType code="1"/><age value="44" unit="岁"/>'))).toEqual([]);
    expect(issuesOf(c0001.replace('<telecom value="tel:13800000000"/>', '<telecom value="tel:13800000000"/><patientType code="1"/>'))).toEqual([]);
  });
});
