import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { validateCda } from '@qiao/cda-adapters';
import { auditLog } from '../../src/audit/log.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';
import { RULE_OVERRIDE_EXT, RULES_CODE_SYSTEM } from '../../src/operations/cda/rule-overrides.js';
import { documentXml, encoderFor, residentId } from '../../../cda-adapters/test/fixtures/documents.js';

// Servers start slowly on a loaded two-core machine; the root jest run does not apply the project's testTimeout.
jest.setTimeout(120000);

const CDA = { 'content-type': 'application/hl7-cda+xml' };
const labBytes = readFileSync(new URL('../../../cda-adapters/test/fixtures/C0007-lab-report.xml', import.meta.url));
const LAB_ID = 'urn:oid:2.16.156.10011.1.1|LAB-2024-000123';
const RESIDENT = 'urn:oid:2.16.156.10011.1.3|440106199203150022';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe.each(BACKENDS)('$cda-import on %s', (backend) => {
  const server = useTestServer(backend);
  const total = async (query: string) => (await call(server.base, 'GET', `${query}${query.includes('?') ? '&' : '?'}_summary=count`)).body.total as number;

  it('stores the document in one transaction and answers with the transaction response', async () => {
    const reply = await call(server.base, 'POST', '$cda-import', labBytes, CDA);
    expect(reply.status).toBe(200);
    expect(reply.body.type).toBe('transaction-response');
    expect(reply.body.entry.every((e: Json) => /^20[01]/.test(e.response.status))).toBe(true);

    const refs = await call(server.base, 'GET', `DocumentReference?identifier=${LAB_ID}`);
    expect(refs.body.total).toBe(1);
    const docRef = refs.body.entry[0].resource;
    expect(docRef.type.coding[0].code).toBe('C0007');
    expect(docRef.extension[0].valueString).toBe(createHash('sm3').update(labBytes).digest('hex'));
    const binary = await call(server.base, 'GET', docRef.content[0].attachment.url);
    expect(Buffer.from(binary.body.data, 'base64').equals(labBytes)).toBe(true);

    const wbc = await call(server.base, 'GET', 'Observation?code=http://loinc.org|6690-2');
    expect(wbc.body.entry[0].resource.valueQuantity).toEqual({ value: 11.2, unit: '10*9/L' });
    expect(wbc.body.entry[0].resource.referenceRange[0].text).toBe('3.5-9.5');
    expect(await total(`Patient?identifier=${RESIDENT}`)).toBe(1);
    expect(await total('DiagnosticReport?category=LAB')).toBe(1);
    expect(await total('AuditEvent?subtype=https://qiao.health/fhir/CodeSystem/cda-transmission|cda-import')).toBe(1);
  });

  it('re-importing the same document creates no duplicates', async () => {
    const before = await Promise.all(['Observation', 'Patient', 'Practitioner', 'Composition', 'DocumentReference', 'Organization'].map(total));
    const reply = await call(server.base, 'POST', '$cda-import', labBytes, CDA);
    expect(reply.status).toBe(200);
    const created = reply.body.entry.filter((e: Json) => e.response.status.startsWith('201')).map((e: Json) => e.response.location.split('/')[0]);
    expect(created).toEqual([]);
    // The second import is logged all the same: its audit record is the transmission log.
    expect(await total('AuditEvent?subtype=https://qiao.health/fhir/CodeSystem/cda-transmission|cda-import')).toBe(2);
    expect(await Promise.all(['Observation', 'Patient', 'Practitioner', 'Composition', 'DocumentReference', 'Organization'].map(total))).toEqual(before);
  });
});

describe.each(BACKENDS)('CDA operations on %s', (backend) => {
  const server = useTestServer(backend);
  const total = async (query: string) => (await call(server.base, 'GET', `${query}${query.includes('?') ? '&' : '?'}_summary=count`)).body.total as number;

  it('matches the patient of a second document by resident ID', async () => {
    expect((await call(server.base, 'POST', '$cda-import', documentXml('C0034', { extension: 'ADM-1' }), CDA)).status).toBe(200);
    const reply = await call(server.base, 'POST', '$cda-import', documentXml('C0053', { extension: 'DIS-1', patientName: '王小明' }), CDA);
    expect(reply.status).toBe(200);
    const patient = reply.body.entry.find((e: Json) => e.response.location?.startsWith('Patient/'));
    expect(patient.response.status).toMatch(/^200/);
    expect(await total(`Patient?identifier=urn:oid:2.16.156.10011.1.3|${residentId()}`)).toBe(1);
    expect(await total('Procedure')).toBe(1);
  });

  it('keeps apart patients of two hospitals known only by the same outpatient number', async () => {
    const withoutResidentId = (extension: string, hospital: string, name: string) =>
      documentXml('C0002', { extension, patientName: name })
        .replace(/<id root="2.16.156.10011.1.3" extension="\d+X?"\/>/, '')
        .replaceAll('12110000400000001X', hospital)
        .replace('MZ20240105001', 'MZ-SHARED-9');
    expect((await call(server.base, 'POST', '$cda-import', withoutResidentId('H1-1', '12110000400000011A', '周一'), CDA)).status).toBe(200);
    expect((await call(server.base, 'POST', '$cda-import', withoutResidentId('H2-1', '12110000400000022B', '吴二'), CDA)).status).toBe(200);
    expect((await call(server.base, 'POST', '$cda-import', withoutResidentId('H1-2', '12110000400000011A', '周一'), CDA)).status).toBe(200);
    const found = await call(server.base, 'GET', 'Patient?identifier=urn:oid:2.16.156.10011.1.11|MZ-SHARED-9');
    expect(found.body.entry.map((e: Json) => e.resource.name[0].text).sort()).toEqual(['吴二', '周一'].sort());
  });

  it('imports a GB18030 document and keeps its bytes', async () => {
    const xml = documentXml('EHR-SD-12', { extension: 'GB-1', residentId: residentId('32010219651111003'), patientName: '赵志强' }).replace('encoding="UTF-8"', 'encoding="GB18030"');
    const bytes = encoderFor('gb18030')(xml);
    const reply = await call(server.base, 'POST', '$cda-import', bytes, CDA);
    expect(reply.status).toBe(200);
    const patient = (await call(server.base, 'GET', `Patient?identifier=urn:oid:2.16.156.10011.1.3|${residentId('32010219651111003')}`)).body.entry[0].resource;
    expect(patient.name[0].text).toBe('赵志强');
    const ref = (await call(server.base, 'GET', 'DocumentReference?identifier=urn:oid:2.16.156.10011.1.1|GB-1')).body.entry[0].resource;
    const binary = await call(server.base, 'GET', ref.content[0].attachment.url);
    expect(Buffer.from(binary.body.data, 'base64').equals(bytes)).toBe(true);
    const sbp = await call(server.base, 'GET', `Observation?subject=Patient/${patient.id}&code=urn:oid:2.16.156.10011.2.2.1|DE04.10.174.00`);
    expect(sbp.body.entry[0].resource.valueQuantity).toEqual({ value: 142, unit: 'mmHg' });
  });

  it('imports a 20 MB document', async () => {
    const narrative = '患者入院后完善相关检查，予抗感染、化痰、平喘等对症支持治疗。'.repeat(Math.ceil((20 * 1024 * 1024) / 90));
    const xml = documentXml('C0049', { extension: 'BIG-1', residentId: residentId('11010519750505002') }).replace('<text>住院过程：见条目</text>', `<text>${narrative}</text>`);
    expect(Buffer.byteLength(xml)).toBeGreaterThan(20 * 1024 * 1024);
    const reply = await call(server.base, 'POST', '$cda-import', xml, CDA);
    expect([reply.status, reply.status === 200 ? '' : reply.text]).toEqual([200, '']);
    const ref = (await call(server.base, 'GET', 'DocumentReference?identifier=urn:oid:2.16.156.10011.1.1|BIG-1')).body.entry[0].resource;
    expect(ref.content[0].attachment.size).toBe(Buffer.byteLength(xml));
  });

  it('registers replacements', async () => {
    const reply = await call(server.base, 'POST', '$cda-import', documentXml('C0053', { extension: 'DIS-2', replaces: 'DIS-1' }), CDA);
    expect(reply.status).toBe(200);
    const ref = (await call(server.base, 'GET', 'DocumentReference?identifier=urn:oid:2.16.156.10011.1.1|DIS-2')).body.entry[0].resource;
    const previous = (await call(server.base, 'GET', 'DocumentReference?identifier=urn:oid:2.16.156.10011.1.1|DIS-1')).body.entry[0].resource;
    expect(previous.status).toBe('superseded');
    expect(ref.relatesTo).toEqual([
      { code: 'replaces', target: { reference: `DocumentReference/${previous.id}`, identifier: { system: 'urn:oid:2.16.156.10011.1.1', value: 'DIS-1' } } },
    ]);
    const byType = await call(server.base, 'GET', 'DocumentReference?type=urn:oid:2.16.156.10011.2.4|C0053');
    expect(byType.body.total).toBe(2);
    // The registry (文档注册/调阅): by patient, custodian, date and status like any search.
    const patient = ref.subject.reference;
    const custodian = ref.custodian.reference;
    expect(await total(`DocumentReference?patient=${patient}&custodian=${custodian}&date=ge2024-01-01&status=current`)).toBe(2);
    expect(await total(`DocumentReference?patient=${patient}&status=superseded`)).toBe(1);
    expect(await total(`DocumentReference?patient=${patient}&date=lt2024-01-01`)).toBe(0);
  });

  it('imports a document with warnings and reports them with its registration', async () => {
    const xml = documentXml('C0002', { extension: 'WARN-1' }).replace(/<legalAuthenticator>[\s\S]*?<\/legalAuthenticator>/, '');
    const reply = await call(server.base, 'POST', '$cda-import', xml, CDA);
    expect(reply.status).toBe(200);
    const registration = reply.body.entry.find((e: Json) => e.response.location?.startsWith('DocumentReference/'));
    expect(registration.response.outcome.issue.map((i: Json) => [i.severity, i.details.coding[0].code])).toEqual([['warning', 'CDA-HDR-017']]);
  });

  it('rejects an invalid document with 422 and stores nothing', async () => {
    const before = await total('Patient');
    const bad = documentXml('C0002', { extension: 'BAD-1', residentId: '110105198001010010' });
    const reply = await call(server.base, 'POST', '$cda-import', bad, CDA);
    expect(reply.status).toBe(422);
    const issue = firstIssue(reply);
    expect(issue.details.coding[0].code).toBe('CDA-ID-001');
    expect(issue.details.text).toMatch(/^居民身份证号 110105198001010010 无效.* \| resident ID 110105198001010010 is invalid/);
    expect(issue.expression).toEqual(['/ClinicalDocument/recordTarget/patientRole/patient/id/@extension']);
    expect(await total('Patient')).toBe(before);
    expect(await total('DocumentReference?identifier=urn:oid:2.16.156.10011.1.1|BAD-1')).toBe(0);
  });

  it('answers malformed XML and DOCTYPEs with 400 and the position, other media types with 415', async () => {
    const malformed = await call(server.base, 'POST', '$cda-import', '<ClinicalDocument xmlns="urn:hl7-org:v3">\n  <title>x</titel>\n</ClinicalDocument>', CDA);
    expect(malformed.status).toBe(400);
    expect(firstIssue(malformed).details.text).toContain('line 2, column');
    const doctype = await call(server.base, 'POST', '$cda-import', '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', { 'content-type': 'application/xml' });
    expect(doctype.status).toBe(400);
    expect(firstIssue(doctype).details.coding[0].code).toBe('CDA-XML-004');
    expect((await call(server.base, 'POST', '$cda-import', '{}', { 'content-type': 'application/json' })).status).toBe(415);
    expect((await call(server.base, 'POST', '$cda-import', '', CDA)).status).toBe(400);
  });

  it('$cda-validate reports every issue and stores nothing', async () => {
    const metadata = (await call(server.base, 'GET', 'metadata')).body.rest[0];
    expect(metadata.operation.map((o: Json) => o.name)).toEqual(expect.arrayContaining(['cda-import', 'cda-validate', 'cda-generate']));
    expect(metadata.resource.find((r: Json) => r.type === 'Composition').operation.map((o: Json) => o.name)).toContain('cda');
    const before = await total('Patient');
    const ok = await call(server.base, 'POST', '$cda-validate', documentXml('EHR-SD-20', { extension: 'REF-1' }), CDA);
    expect(ok.status).toBe(200);
    expect(ok.body.issue).toEqual([{ severity: 'information', code: 'informational', diagnostics: '文档有效 | the document is valid' }]);
    const wrong = documentXml('C0007', { extension: 'V-2' }).replace('2.16.156.10011.2.1.1.27', '2.16.156.10011.2.1.1.26').replace(/<legalAuthenticator>[\s\S]*?<\/legalAuthenticator>/, '');
    const reply = await call(server.base, 'POST', '$cda-validate', wrong, CDA);
    expect(reply.body.issue.map((i: Json) => [i.severity, i.details.coding[0].code, i.expression[0]])).toEqual([
      ['error', 'CDA-HDR-008', '/ClinicalDocument/templateId/@root'],
      ['warning', 'CDA-HDR-017', '/ClinicalDocument/legalAuthenticator'],
    ]);
    expect(await total('Patient')).toBe(before);
  });

  it('$cda-validate checks codes with the terminology service: a code outside the curated ICD-10 subset is a warning', async () => {
    const known = await call(server.base, 'POST', '$cda-validate', documentXml('C0002', { extension: 'TX-1' }), CDA);
    expect(known.body.issue.map((i: Json) => i.severity)).toEqual(['information']);
    const outside = documentXml('C0002', { extension: 'TX-2' }).replaceAll('J20.900', 'J98.899');
    const reply = await call(server.base, 'POST', '$cda-validate', outside, CDA);
    expect(reply.status).toBe(200);
    expect(reply.body.issue.map((i: Json) => [i.severity, i.details.coding[0].code])).toContainEqual(['warning', 'CDA-BODY-008']);
  });

  it('GET Composition/{id}/$cda gives back a valid document with every data element', async () => {
    await call(server.base, 'POST', '$cda-import', labBytes, CDA);
    const composition = (await call(server.base, 'GET', `Composition?identifier=${LAB_ID}`)).body.entry[0].resource;
    const reply = await call(server.base, 'GET', `Composition/${composition.id}/$cda`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/hl7-cda+xml; charset=utf-8');
    expect(validateCda(reply.text)).toEqual([]);
    for (const fact of ['extension="440106199203150022"', 'code="6690-2"', 'value="11.2" unit="10*9/L"', '<text>3.5-9.5</text>', '<value xsi:type="ST">全血</value>', 'code="DE04.30.017.00"']) {
      expect(reply.text).toContain(fact);
    }
    // A generation changes nothing: its record is batched as a read's is.
    await auditLog(server.ctx).flush();
    expect(await total('AuditEvent?subtype=https://qiao.health/fhir/CodeSystem/cda-transmission|cda-generate')).toBe(1);

    const other = await call(server.base, 'POST', 'Composition', {
      resourceType: 'Composition', status: 'final', type: { coding: [{ system: 'http://loinc.org', code: '11488-4' }] },
      date: '2024-01-01', author: [{ display: 'x' }], title: 'Consult note',
    });
    const refused = await call(server.base, 'GET', `Composition/${other.body.id}/$cda`);
    expect(refused.status).toBe(400);
    expect(firstIssue(refused).details.coding[0].code).toBe('CDA-GEN-003');
    expect((await call(server.base, 'GET', 'Composition/nope/$cda')).status).toBe(404);
  });

  it('$cda-generate builds a document of a type from the stored data of a patient', async () => {
    expect((await call(server.base, 'POST', '$cda-import', labBytes, CDA)).status).toBe(200);
    const patient = (await call(server.base, 'GET', `Patient?identifier=${RESIDENT}`)).body.entry[0].resource;
    const reply = await call(server.base, 'POST', `$cda-generate?patient=Patient/${patient.id}&type=C0007`);
    expect([reply.status, reply.status === 200 ? '' : reply.text]).toEqual([200, '']);
    expect(validateCda(reply.text)).toEqual([]);
    expect(reply.text).toContain('code="718-7"');
    expect(reply.text).toContain('<name>陈丽</name>');

    const missing = await call(server.base, 'POST', '$cda-generate', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', valueReference: { reference: `Patient/${patient.id}` } },
        { name: 'type', valueCode: 'C0045' },
      ],
    });
    expect(missing.status).toBe(422);
    // No stored data for the required sections of a 会诊记录: the validator names each one.
    expect(missing.body.issue.map((i: Json) => i.details.text.split(' | ')[1])).toEqual([
      'section 诊断记录章节 lacks the required entry DE05.01.024.00 (诊断代码)',
      'section 会诊意见章节 lacks the required entry DE06.00.179.00 (会诊意见)',
    ]);
    const unknown = await call(server.base, 'POST', `$cda-generate?patient=Patient/${patient.id}&type=C0099`);
    expect(unknown.status).toBe(400);
    expect(firstIssue(unknown).details.coding[0].code).toBe('CDA-GEN-001');
  });
  it('a platform tightens or switches off rules with a stored Basic resource (校验规则配置)', async () => {
    const noLegal = documentXml('C0002', { extension: 'RULES-1' }).replace(/<legalAuthenticator>[\s\S]*?<\/legalAuthenticator>/, '');
    const rule = (id: string, setting: Json) => ({ url: RULE_OVERRIDE_EXT, extension: [{ url: 'rule', valueCode: id }, setting] });
    const basic = await call(server.base, 'POST', 'Basic', {
      resourceType: 'Basic',
      code: { coding: [{ system: RULES_CODE_SYSTEM, code: 'overrides' }] },
      extension: [rule('CDA-HDR-017', { url: 'severity', valueCode: 'error' })],
    });
    expect(basic.status).toBe(201);
    const validated = await call(server.base, 'POST', '$cda-validate', noLegal, CDA);
    expect(validated.body.issue.map((i: Json) => [i.severity, i.details.coding[0].code])).toEqual([['error', 'CDA-HDR-017']]);
    expect((await call(server.base, 'POST', '$cda-import', noLegal, CDA)).status).toBe(422);

    await call(server.base, 'PUT', `Basic/${basic.body.id}`, { ...basic.body, extension: [rule('CDA-HDR-017', { url: 'enabled', valueBoolean: false })] });
    const relaxed = await call(server.base, 'POST', '$cda-validate', noLegal, CDA);
    expect(relaxed.body.issue[0].diagnostics).toBe('文档有效 | the document is valid');
    expect((await call(server.base, 'DELETE', `Basic/${basic.body.id}`)).status).toBeLessThan(300);
  });
});
