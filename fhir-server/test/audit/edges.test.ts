import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { jest } from '@jest/globals';
import { auditLog } from '../../src/audit/index.js';
import { dicomwebClient } from '../dicom/client.js';
import { files, poll, start } from '../export/client.js';
import { call } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';

jest.setTimeout(120000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SAMPLES = path.resolve(import.meta.dirname, '../../../dicom-gateway/test/data');
const CT_STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';
const QIAO_EVENT = 'https://qiao.health/fhir/CodeSystem/audit-event';

describe('audit of DICOMweb and bulk export files (pglite)', () => {
  const server = useTestServer('pglite');
  const events = async (query: string): Promise<Json[]> => {
    await auditLog(server.ctx).flush();
    const reply = await call(server.base, 'GET', `AuditEvent?${query}&_count=100`);
    expect(reply.status).toBe(200);
    return (reply.body.entry ?? []).map((e: Json) => e.resource);
  };

  it('records STOW-RS, QIDO-RS and WADO-RS at study level, with the study’s patient', async () => {
    const client = dicomwebClient(`${server.url}/dicomweb`);
    const b = await readFile(path.join(SAMPLES, 'CT_small.dcm'));
    await client.storeInstances({ datasets: [b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)] });
    expect(await client.searchForStudies({ queryParams: { StudyInstanceUID: CT_STUDY } })).toHaveLength(1);
    await client.retrieveStudyMetadata({ studyInstanceUID: CT_STUDY });
    expect((await call(`${server.url}/dicomweb`, 'GET', 'studies/1.2.3.999/metadata')).status).toBe(404);

    const study = await events(`entity:identifier=urn:dicom:uid|urn:oid:${CT_STUDY}`);
    const codes = study.map((e) => `${e.subtype[0].code}:${e.action}:${e.outcome}`).sort();
    expect(codes).toEqual(['stow-rs:C:0', 'wado-rs:R:0']);
    const imagingStudy = (await call(server.base, 'GET', `ImagingStudy?identifier=urn:dicom:uid|urn:oid:${CT_STUDY}`)).body.entry[0].resource;
    const patient = imagingStudy.subject.reference as string;
    const wado = study.find((e) => e.action === 'R');
    expect(wado.entity).toContainEqual(expect.objectContaining({ what: { reference: patient } }));
    expect(wado.type).toMatchObject({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110103' });
    // The query's record keeps the query; the refused retrieval is a failure.
    const qido = await events(`subtype=${QIAO_EVENT}|qido-rs`);
    expect(Buffer.from(qido[0].entity.find((x: Json) => x.query).query, 'base64').toString()).toContain(`StudyInstanceUID=${CT_STUDY}`);
    expect((await events(`subtype=${QIAO_EVENT}|wado-rs&outcome=4`)).length).toBe(1);
    // The ImagingStudy the STOW wrote was recorded in its transaction, with the STOW's request id.
    const stow = study.find((e) => e.action === 'C');
    const requestId = stow.entity.find((x: Json) => x.type.code === 'XrequestId').what.identifier.value;
    const sync = await events(`entity=ImagingStudy/${imagingStudy.id}&action=E`);
    expect(sync.some((e) => e.entity.some((x: Json) => x.what?.identifier?.value === requestId))).toBe(true);
  });

  it('folds a viewer\'s frame after frame of one study into one record that keeps every request id', async () => {
    const client = dicomwebClient(`${server.url}/dicomweb`);
    const b = await readFile(path.join(SAMPLES, 'CT_small.dcm'));
    await client.storeInstances({ datasets: [b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)] });
    await auditLog(server.ctx).flush();
    const [instance] = (await client.searchForInstances({ studyInstanceUID: CT_STUDY })) as Json[];
    const framePath = `studies/${CT_STUDY}/series/${instance['0020000E'].Value[0]}/instances/${instance['00080018'].Value[0]}/frames/1`;
    const frame = (id: string, frames = '1') =>
      call(`${server.url}/dicomweb`, 'GET', framePath.replace(/1$/, frames), undefined, { accept: 'multipart/related; type="application/octet-stream"', 'x-request-id': id });
    // The first read is described in full; the later ones fold in by the study they read, without being described again.
    const ids = ['frames-a', 'frames-b', 'frames-c', 'frames-d'];
    const described = jest.spyOn(auditLog(server.ctx), 'enqueueFacts');
    try {
      expect((await frame(ids[0] as string)).status).toBe(200);
      for (let i = 0; described.mock.calls.length === 0 && i < 100; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(described).toHaveBeenCalledTimes(1);
      for (const id of ids.slice(1)) expect((await frame(id)).status).toBe(200);
      expect(described).toHaveBeenCalledTimes(1);
    } finally {
      described.mockRestore();
    }
    // A refused read of the same study is another access (its outcome differs): a record of its own.
    expect((await frame('frames-missing', '99')).status).toBe(404);
    const wado = await events(`subtype=${QIAO_EVENT}|wado-rs&entity:identifier=urn:dicom:uid|urn:oid:${CT_STUDY}`);
    const folded = wado.filter((e) => e.entity.some((x: Json) => ids.includes(x.what?.identifier?.value)));
    expect(folded).toHaveLength(1);
    const [record] = folded;
    expect(record.outcome).toBe('0');
    expect(record.entity.filter((x: Json) => x.type.code === 'XrequestId').map((x: Json) => x.what.identifier.value)).toEqual(ids);
    expect(record.extension).toContainEqual({ url: 'https://qiao.health/fhir/StructureDefinition/audit-event-repetitions', valueInteger: 4 });
    expect(Date.parse(record.period.end)).toBeGreaterThanOrEqual(Date.parse(record.period.start));
    const imagingStudy = (await call(server.base, 'GET', `ImagingStudy?identifier=urn:dicom:uid|urn:oid:${CT_STUDY}`)).body.entry[0].resource;
    expect(record.entity).toContainEqual(expect.objectContaining({ what: { reference: imagingStudy.subject.reference } }));
    // Each request still finds its record.
    expect(await events(`entity:identifier=frames-c`)).toHaveLength(1);
    const [refused] = await events(`entity:identifier=frames-missing`);
    expect(refused.outcome).toBe('4');
    expect(refused.id).not.toBe(record.id);
    expect(refused.extension ?? []).not.toContainEqual(expect.objectContaining({ url: 'https://qiao.health/fhir/StructureDefinition/audit-event-repetitions' }));
  });

  it('records the export kick-off, status polls and file downloads', async () => {
    await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '导出' }] });
    const status = await start(server.base, '$export', [['_type', 'Patient']]);
    const exported = await files(await poll(status));
    expect(exported.get('Patient')?.length).toBeGreaterThan(0);
    const job = status.split('/').pop() as string;

    const kickoff = await events(`subtype=${QIAO_EVENT}|$export`);
    expect(kickoff).toHaveLength(1);
    const onJob = await events(`entity:identifier=https://qiao.health/fhir/sid/bulk-export-job|${job}`);
    const kinds = new Set(onJob.map((e) => e.subtype[0].code));
    expect(kinds).toEqual(new Set(['bulk-status', 'bulk-download']));
    expect(onJob.find((e) => e.subtype[0].code === 'bulk-download').entity[0].detail).toEqual([{ type: 'file', valueString: 'Patient.ndjson' }]);
    // Audit records are exported only when asked for by name.
    expect(exported.has('AuditEvent')).toBe(false);
  });
});
