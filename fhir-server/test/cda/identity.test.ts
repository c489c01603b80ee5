import { jest } from '@jest/globals';
import { EXT, sm3Hex, validateCda } from '@qiao/cda-adapters';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';
import { documentXml, residentId } from '../../../cda-adapters/test/fixtures/documents.js';

// Servers start slowly on a loaded two-core machine; the root jest run does not apply the project's testTimeout.
jest.setTimeout(180000);

const CDA = { 'content-type': 'application/hl7-cda+xml' };
const DOC_ID = 'urn:oid:2.16.156.10011.1.1';
const TRANSMISSION = 'https://qiao.health/fhir/CodeSystem/cda-transmission';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The fixture's resident ID element, to be replaced by other patient identifiers. */
const RESIDENT_ID_ELEMENT = /<id root="2\.16\.156\.10011\.1\.3" extension="\d+X?"\/>/;
const idElement = (root: string, extension: string) => `<id root="${root}" extension="${extension}"/>`;
/** A fixture document of its own patient: its resident ID, and an outpatient number of its own (the fixture's is the same in all). */
const doc = (code: string, extension: string, first17: string, options: { replaces?: string } = {}) =>
  documentXml(code, { extension, residentId: residentId(first17), ...options }).replace('MZ20240105001', `MZ-${extension}`);

describe.each(BACKENDS)('what a document is and whom it concerns, on %s', (backend) => {
  const server = useTestServer(backend);
  const total = async (query: string) => (await call(server.base, 'GET', `${query}${query.includes('?') ? '&' : '?'}_summary=count`)).body.total as number;
  const importXml = (xml: string) => call(server.base, 'POST', '$cda-import', xml, CDA);
  const one = async (query: string) => (await call(server.base, 'GET', query)).body.entry[0].resource;

  it('refuses other bytes under a registered document id with 409 and keeps the original', async () => {
    const original = doc('C0002', 'SAME-ID-1', '11010519800101101');
    expect((await importXml(original)).status).toBe(200);
    const changed = original.replace('反复咳嗽3天', '胸痛2小时');
    const reply = await importXml(changed);
    expect(reply.status).toBe(409);
    const issue = firstIssue(reply);
    expect(issue.code).toBe('conflict');
    expect(issue.details.text).toMatch(/^文档 SAME-ID-1 已以不同内容登记.*RPLC.* \| Document SAME-ID-1 is already registered with other content.*new document id.*RPLC/);
    expect(issue.expression).toEqual(['/ClinicalDocument/id/@extension']);
    const docRef = await one(`DocumentReference?identifier=${DOC_ID}|SAME-ID-1`);
    const binary = await call(server.base, 'GET', docRef.content[0].attachment.url);
    expect(binary.body.meta.versionId).toBe('1');
    expect(Buffer.from(binary.body.data, 'base64').toString('utf8')).toBe(original);
    expect(await total('Observation?code=urn:oid:2.16.156.10011.2.2.1|DE04.01.119.00&value-string=胸痛2小时')).toBe(0);
    // The same bytes again are a re-import, not a change.
    expect((await importXml(original)).status).toBe(200);
  });

  it('two simultaneous first imports of one document id with other bytes never put the other bytes under the registered original', async () => {
    const first = doc('C0002', 'RACE-1', '11010519800101113');
    const second = first.replace('反复咳嗽3天', '胸痛2小时');
    const replies = await Promise.all([importXml(first), importXml(second)]);
    expect(replies.map((r) => r.status).sort()).toEqual(expect.arrayContaining([200]));
    for (const r of replies) expect([200, 409]).toContain(r.status);
    const docRef = await one(`DocumentReference?identifier=${DOC_ID}|RACE-1`);
    const binary = await call(server.base, 'GET', docRef.content[0].attachment.url);
    expect(binary.body.meta.versionId).toBe('1');
    expect(sm3Hex(Buffer.from(binary.body.data, 'base64'))).toBe(docRef.extension.find((x: Json) => x.url === EXT.sm3).valueString);
    // Identical bytes again: every entry answers 200 (found, or the same bytes rewritten).
    const again = await importXml(Buffer.from(binary.body.data, 'base64').toString('utf8'));
    expect(again.status).toBe(200);
    expect(new Set(again.body.entry.map((e: Json) => e.response.status.slice(0, 3)))).toEqual(new Set(['200']));
  });

  it('finds a patient known by the health-record number when a later document adds the resident ID', async () => {
    const rid = residentId('11010519800101102');
    const hr = idElement('2.16.156.10011.1.2', 'HR-T5');
    const hrOnly = (extension: string) => doc('C0002', extension, '11010519800101102').replace(RESIDENT_ID_ELEMENT, hr);
    expect((await importXml(hrOnly('HR-1'))).status).toBe(200);
    expect((await importXml(doc('C0002', 'HR-2', '11010519800101102').replace(RESIDENT_ID_ELEMENT, `${idElement('2.16.156.10011.1.3', rid)}${hr}`))).status).toBe(200);
    const found = await call(server.base, 'GET', 'Patient?identifier=urn:oid:2.16.156.10011.1.2|HR-T5');
    expect(found.body.total).toBe(1);
    expect(found.body.entry[0].resource.identifier.map((i: Json) => i.value)).toEqual(expect.arrayContaining(['HR-T5', rid]));
    expect((await importXml(hrOnly('HR-3'))).status).toBe(200);
    expect(await total('Patient?identifier=urn:oid:2.16.156.10011.1.2|HR-T5')).toBe(1);
    const patient = found.body.entry[0].resource.id;
    expect(await total(`Composition?subject=Patient/${patient}`)).toBe(3);
  });

  it('finds a patient known by an outpatient number of the same hospital when a later document adds the resident ID', async () => {
    const opOnly = documentXml('C0002', { extension: 'OP-1' }).replace(RESIDENT_ID_ELEMENT, '').replace('MZ20240105001', 'MZ-T5');
    expect((await importXml(opOnly)).status).toBe(200);
    const withRid = documentXml('C0002', { extension: 'OP-2', residentId: residentId('11010519800101103') }).replace('MZ20240105001', 'MZ-T5');
    expect((await importXml(withRid)).status).toBe(200);
    expect(await total('Patient?identifier=urn:oid:2.16.156.10011.1.11|MZ-T5')).toBe(1);
    expect(await total(`Patient?identifier=urn:oid:2.16.156.10011.1.3|${residentId('11010519800101103')}`)).toBe(1);
  });

  it('keeps each room within its ward: the same room and bed numbers in two wards are two places', async () => {
    const inWard = (extension: string, ward: string, first17: string) =>
      doc('C0002', extension, first17).replace('extension="W3"', `extension="${ward}"`).replace('内科三病区', `${ward}病区`);
    expect((await importXml(inWard('WARD-A', 'WA1', '11010519800101104'))).status).toBe(200);
    expect((await importXml(inWard('WARD-B', 'WB1', '11010519800101105'))).status).toBe(200);
    expect(await total('Location?identifier=urn:oid:2.16.156.10011.1.21|305&partof:Location.identifier=urn:oid:2.16.156.10011.1.27|WA1')).toBe(1);
    expect(await total('Location?identifier=urn:oid:2.16.156.10011.1.21|305&partof:Location.identifier=urn:oid:2.16.156.10011.1.27|WB1')).toBe(1);
    const composition = await one(`Composition?identifier=${DOC_ID}|WARD-B`);
    const cda = await call(server.base, 'GET', `Composition/${composition.id}/$cda`);
    expect(cda.status).toBe(200);
    expect(cda.text).toContain('extension="WB1"');
    expect(cda.text).not.toContain('extension="WA1"');
    // The second document of the same ward finds its places.
    const before = await total('Location');
    expect((await importXml(inWard('WARD-A2', 'WA1', '11010519800101106'))).status).toBe(200);
    expect(await total('Location')).toBe(before);
  });

  it('$cda-generate makes a document of one encounter, with the patient’s allergies', async () => {
    expect((await importXml(doc('C0002', 'ENC-1', '11010519800101107'))).status).toBe(200);
    const composition = await one(`Composition?identifier=${DOC_ID}|ENC-1`);
    const reply = await call(server.base, 'POST', `$cda-generate?encounter=${composition.encounter.reference}&type=C0002`);
    expect([reply.status, reply.status === 200 ? '' : reply.text]).toEqual([200, '']);
    expect(validateCda(reply.text)).toEqual([]);
    expect(reply.text).toContain('code="J20.900"');
    expect(reply.text).toContain('青霉素过敏');
  });

  it('$cda-generate places admission and discharge diagnoses in their own sections', async () => {
    expect((await importXml(doc('C0049', 'DIS-T8', '11010519800101108'))).status).toBe(200);
    const patient = (await one(`Composition?identifier=${DOC_ID}|DIS-T8`)).subject.reference;
    for (const type of ['C0049', 'C0053', 'EHR-SD-18']) {
      const reply = await call(server.base, 'POST', `$cda-generate?patient=${patient}&type=${type}`);
      expect([type, reply.status, reply.status === 200 ? '' : reply.text]).toEqual([type, 200, '']);
      const discharge = reply.text.slice(reply.text.indexOf('code="11535-2"'));
      expect(discharge).toContain('社区获得性肺炎');
      expect(reply.text.slice(reply.text.indexOf('code="46241-6"'), reply.text.indexOf('code="11535-2"'))).not.toContain('社区获得性肺炎');
    }
  });

  it('withdraws what a replaced document contributed', async () => {
    expect((await importXml(doc('C0001', 'RPL-1', '11010519800101109').replace('MZ-RPL-1', 'MZ-RPL'))).status).toBe(200);
    expect((await importXml(doc('C0001', 'RPL-2', '11010519800101109', { replaces: 'RPL-1' }).replace('MZ-RPL-2', 'MZ-RPL'))).status).toBe(200);
    const patient = (await one(`Composition?identifier=${DOC_ID}|RPL-2`)).subject.reference;
    const conditions = (await call(server.base, 'GET', `Condition?patient=${patient}`)).body.entry.map((e: Json) => e.resource);
    expect(conditions.map((c: Json) => c.verificationStatus?.coding[0].code ?? c.clinicalStatus.coding[0].code).sort()).toEqual(['active', 'entered-in-error']);
    expect(conditions.find((c: Json) => c.verificationStatus)?.clinicalStatus).toBeUndefined();
    const reply = await call(server.base, 'POST', `$cda-generate?patient=${patient}&type=C0001`);
    expect(reply.status).toBe(200);
    expect(reply.text.match(/code="J20\.900"/g)).toHaveLength(1);
  });

  it('keeps the author’s role and organisation through import and back', async () => {
    const xml = doc('C0001', 'ROLE-1', '11010519800101110').replace(
      /(<assignedAuthor>\s*<id root="2\.16\.156\.10011\.1\.4" extension="D0001"\/>)(\s*<assignedPerson>\s*<name>李明<\/name>\s*<\/assignedPerson>)/,
      '$1<code code="231" codeSystem="2.16.156.10011.2.3.1.209" displayName="主治医师"/>$2<representedOrganization><id root="2.16.156.10011.1.26" extension="HX"/><name>呼吸科门诊</name></representedOrganization>',
    );
    expect(xml).toContain('呼吸科门诊');
    expect((await importXml(xml)).status).toBe(200);
    const composition = await one(`Composition?identifier=${DOC_ID}|ROLE-1`);
    expect(composition.author[0].reference).toMatch(/^PractitionerRole\//);
    const cda = await call(server.base, 'GET', `Composition/${composition.id}/$cda`);
    expect(cda.status).toBe(200);
    const author = cda.text.slice(cda.text.indexOf('<assignedAuthor>'), cda.text.indexOf('</assignedAuthor>'));
    expect(author).toContain('code="231"');
    expect(author).toMatch(/<representedOrganization>\s*<id root="2.16.156.10011.1.26" extension="HX"\/>\s*<name>呼吸科门诊<\/name>/);
  });

  it('logs every transfer in the transmission log, refused ones with their outcome', async () => {
    const failed = (action: string) => total(`AuditEvent?subtype=${TRANSMISSION}|${action}&outcome=4`);
    const failedOfType = (code: string) => total(`AuditEvent?subtype=${TRANSMISSION}|cda-import&outcome=4&entity-type=urn:oid:2.16.156.10011.2.4|${code}`);
    const [imports, generations, importsOfType] = [await failed('cda-import'), await failed('cda-generate'), await failedOfType('C0002')];
    const bad = documentXml('C0002', { extension: 'LOG-1', residentId: '110105198001010010' });
    expect((await importXml(bad)).status).toBe(422);
    const noChief = doc('C0002', 'LOG-2', '11010519800101112').replace(/<component>\s*<section>\s*<code code="10154-3"[\s\S]*?<\/section>\s*<\/component>/, '');
    expect((await importXml(noChief)).status).toBe(422);
    expect(await failed('cda-import')).toBe(imports + 2);
    // Rejected by the validator, still logged with their document type.
    expect(await failedOfType('C0002')).toBe(importsOfType + 2);
    expect((await importXml(doc('C0002', 'LOG-3', '11010519800101111'))).status).toBe(200);
    const patient = (await one(`Composition?identifier=${DOC_ID}|LOG-3`)).subject.reference;
    expect((await call(server.base, 'POST', `$cda-generate?patient=${patient}&type=C0045`)).status).toBe(422);
    expect(await failed('cda-generate')).toBe(generations + 1);
  });

  it('logs a referral document the validator refuses, with the referral and the document type', async () => {
    const failedReferrals = () => total(`AuditEvent?subtype=${TRANSMISSION}|cda-generate&outcome=4&entity-type=urn:oid:2.16.156.10011.2.4|EHR-SD-20`);
    const before = await failedReferrals();
    const patient = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '转诊测试' }] });
    expect(patient.status).toBe(201);
    const request = await call(server.base, 'POST', 'ServiceRequest', { resourceType: 'ServiceRequest', status: 'draft', intent: 'order', subject: { reference: `Patient/${patient.body.id}` }, reasonCode: [{ text: '冠脉CTA检查' }] });
    expect(request.status).toBe(201);
    // A referral without a requester makes a document without an author: the validator refuses it.
    const reply = await call(server.base, 'POST', `ServiceRequest/${request.body.id}/$referral-document`, { resourceType: 'Parameters' });
    expect(reply.status).toBe(422);
    expect(reply.body.issue.map((i: Json) => i.details.coding[0].code)).toContain('CDA-HDR-015');
    expect(await failedReferrals()).toBe(before + 1);
    expect(await total(`AuditEvent?subtype=${TRANSMISSION}|cda-generate&outcome=4&entity=ServiceRequest/${request.body.id}`)).toBe(1);
  });
});
