import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { syntheticAecg } from '../../src/ecg/synthetic.js';
import { call, firstIssue, type Reply } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';

const FDA = readFileSync(new URL('./data/FDA_ectd_example_subject1_0.xml', import.meta.url));
const DICOM = readFileSync(new URL('../../../dicom-gateway/test/data/anonymous_ecg_12lead_waveform.dcm', import.meta.url));
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

function post(base: string, bytes: Uint8Array, type: string, query = ''): Promise<Reply> {
  return call(base, 'POST', `$ecg-import${query}`, bytes, { 'content-type': type });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const locations = (reply: Reply): string[] => (reply.body.entry as Json[]).map((e) => (e.response.location as string).replace(/\/_history\/.*/, ''));
const byType = (reply: Reply, type: string) => locations(reply).filter((l) => l.startsWith(`${type}/`));

describe('$ecg-import over HTTP', () => {
  const server = useTestServer('postgres');

  it('stores an HL7 aECG: waveform Observation with 12 SampledData leads, measurements, report, Binary with MD5 and SM3, Task', async () => {
    const reply = await post(server.base, FDA, 'application/xml', `?md5=${md5(FDA)}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    expect((reply.body.entry as Json[]).every((e) => e.response.status.startsWith('201'))).toBe(true);
    const [waveformRef] = byType(reply, 'Observation');
    const waveform = (await call(server.base, 'GET', waveformRef as string)).body;
    expect(waveform.code.coding[0]).toMatchObject({ system: 'http://loinc.org', code: '11524-6' });
    expect(waveform.component).toHaveLength(12);
    const lead2 = (waveform.component as Json[]).find((c) => c.code.text === 'II');
    expect(lead2.code.coding[0]).toMatchObject({ system: 'urn:iso:std:iso:11073:10101', code: '131330', display: 'MDC_ECG_ELEC_POTL_II' });
    expect(lead2.valueSampledData).toMatchObject({ origin: { value: 0, code: 'uV' }, period: 2, factor: 2.5, dimensions: 1 });
    // The XML's lead II digits, as written.
    const digits = /MDC_ECG_LEAD_II"[^>]*\/>\s*<value xsi:type="SLIST_PQ">[\s\S]*?<digits>([^<]*)</.exec(FDA.toString('utf8'))?.[1]?.trim().split(/\s+/).join(' ');
    expect(lead2.valueSampledData.data).toBe(digits);

    const report = (await call(server.base, 'GET', byType(reply, 'DiagnosticReport')[0] as string)).body;
    expect(report).toMatchObject({ status: 'registered', code: { coding: [{ code: '11524-6' }] }, category: [{ coding: [{ code: 'EC' }] }] });
    const results = await Promise.all((report.result as Json[]).slice(1).map(async (r) => (await call(server.base, 'GET', r.reference)).body));
    const value = (loinc: string) => results.find((o) => o.code.coding[0].code === loinc);
    expect(value('8625-6')).toMatchObject({ valueQuantity: { value: 148, code: 'ms' }, method: { text: expect.stringContaining('read from the ECG file') } });
    expect(value('8636-3').valueQuantity.value).toBe(443);
    expect(value('8632-2').valueQuantity).toMatchObject({ value: -61, code: 'deg' });
    expect(value('8867-4').method.text).toContain('R-peak detection');

    const doc = (await call(server.base, 'GET', byType(reply, 'DocumentReference')[0] as string)).body;
    const attachment = doc.content[0].attachment;
    expect(attachment.extension).toEqual([
      { url: 'https://qiao.health/fhir/StructureDefinition/attachment-md5', valueString: md5(FDA) },
      { url: 'https://qiao.health/fhir/StructureDefinition/attachment-sm3', valueString: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(attachment.hash).toBe(createHash('sha1').update(FDA).digest('base64'));
    const binary = (await call(server.base, 'GET', attachment.url)).body;
    expect(binary.contentType).toBe('application/xml');
    expect(Buffer.from(binary.data, 'base64').equals(FDA)).toBe(true);

    const task = (await call(server.base, 'GET', byType(reply, 'Task')[0] as string)).body;
    expect(task).toMatchObject({ status: 'requested', businessStatus: { coding: [{ code: 'uploaded' }] }, focus: { reference: byType(reply, 'DiagnosticReport')[0] } });
  });

  it('is idempotent: the same file again answers with the same resources and adds none', async () => {
    const before = (await call(server.base, 'GET', 'Observation?_summary=count')).body.total;
    const first = await post(server.base, FDA, 'application/xml');
    expect(first.status).toBe(200);
    expect((first.body.entry as Json[]).every((e) => e.response.status.startsWith('200'))).toBe(true);
    expect((await call(server.base, 'GET', 'Observation?_summary=count')).body.total).toBe(before);
    expect((await call(server.base, 'GET', 'Patient?identifier=urn:oid:2.16.840.1.113883.3.400|subject1')).body.total).toBe(1);
  });

  it('stores a DICOM 12-lead ECG: rhythm strip at 1000 Hz, the file\'s measurements, HR from its RR interval', async () => {
    const reply = await post(server.base, DICOM, 'application/dicom', `?md5=${Buffer.from(createHash('md5').update(DICOM).digest()).toString('base64')}`);
    expect(reply.status).toBe(200);
    const waveform = (await call(server.base, 'GET', byType(reply, 'Observation')[0] as string)).body;
    expect(waveform.identifier[0]).toEqual({ system: 'urn:dicom:uid', value: 'urn:oid:1.3.6.1.4.1.20029.40.20130125105919.5407.1.1' });
    expect(waveform.component).toHaveLength(12);
    expect(waveform.component[0].valueSampledData).toMatchObject({ period: 1, factor: 1.25 });
    expect(waveform.component[0].valueSampledData.data.split(' ')).toHaveLength(10000);
    expect(waveform.effectiveDateTime).toBe('2013-01-25T10:59:19+08:00');
    const hr = (await call(server.base, 'GET', `Observation?code=http://loinc.org|8867-4&subject=${waveform.subject.reference}`)).body.entry[0].resource;
    expect(hr.valueQuantity.value).toBeCloseTo(61.1, 1);
    expect(hr.method.text).toContain('RR interval');
    const patient = (await call(server.base, 'GET', waveform.subject.reference)).body;
    expect(patient).toMatchObject({ identifier: [{ system: 'urn:qiao:dicom:patient-id', value: '642341' }], gender: 'female', birthDate: '1971-01-23' });
  });

  it('matches an existing patient by the identifier in the file', async () => {
    const residentId = '110101199003079999';
    const created = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: residentId }], name: [{ text: '李四' }] });
    expect(created.status).toBe(201);
    const reply = await post(server.base, Buffer.from(syntheticAecg({ bpm: 72, seed: 'match', patientId: residentId })), 'application/xml');
    expect(reply.status).toBe(200);
    expect(byType(reply, 'Patient')).toEqual([]);
    const waveform = (await call(server.base, 'GET', byType(reply, 'Observation')[0] as string)).body;
    expect(waveform.subject.reference).toBe(`Patient/${created.body.id}`);
  });

  it('dispatches at once when the upload names the reading centre', async () => {
    const centre = await call(server.base, 'PUT', 'Organization/ecg-centre-1', { resourceType: 'Organization', id: 'ecg-centre-1', name: '县心电诊断中心' });
    expect([200, 201]).toContain(centre.status);
    const reply = await post(server.base, Buffer.from(syntheticAecg({ bpm: 66, seed: 'auto-dispatch' })), 'application/xml', '?centre=Organization/ecg-centre-1&priority=stat');
    expect(reply.status).toBe(200);
    const task = (await call(server.base, 'GET', byType(reply, 'Task')[0] as string)).body;
    expect(task).toMatchObject({ priority: 'stat', owner: { reference: 'Organization/ecg-centre-1' }, businessStatus: { coding: [{ code: 'dispatched' }] } });
    expect((await post(server.base, Buffer.from(syntheticAecg({ bpm: 66, seed: 'x' })), 'application/xml', '?centre=Patient/1')).status).toBe(400);
  });

  it('refuses an MD5 mismatch, malformed XML, a DOCTYPE, another DICOM SOP class, truncated waveform data, another media type', async () => {
    const wrong = await post(server.base, FDA, 'application/xml', `?md5=${md5(Buffer.from('other'))}`);
    expect(wrong.status).toBe(400);
    expect(firstIssue(wrong)).toMatchObject({ expression: ['md5'] });
    expect(firstIssue(wrong).details.text).toMatch(/MD5 一致性校验失败.*\| MD5 check failed/);

    const malformed = await post(server.base, Buffer.from('<AnnotatedECG xmlns="urn:hl7-org:v3"><id root="1.2"/>'), 'application/xml');
    expect(malformed.status).toBe(400);
    const doctype = await post(server.base, Buffer.from('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><AnnotatedECG>&x;</AnnotatedECG>'), 'application/xml');
    expect(doctype.status).toBe(400);
    expect(JSON.stringify(doctype.body)).not.toContain('root:');

    const ct = readFileSync(new URL('../../../dicom-gateway/test/data/CT_small.dcm', import.meta.url));
    const notEcg = await post(server.base, ct, 'application/dicom');
    expect(notEcg.status).toBe(415);
    expect(firstIssue(notEcg).expression).toEqual(['SOPClassUID']);

    const truncated = await post(server.base, DICOM.subarray(0, DICOM.length - 5000), 'application/dicom');
    expect(truncated.status).toBe(400);

    const text = await post(server.base, FDA, 'text/plain');
    expect(text.status).toBe(415);
    expect((await post(server.base, Buffer.alloc(0), 'application/xml')).status).toBe(400);
  });
});
