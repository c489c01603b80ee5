import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { rewritePart10 } from '@qiao/dicom-gateway';
import { syntheticDicomEcg } from '../../src/ecg/synthetic.js';
import { freePort } from '../../src/testing/throwaway-postgres.js';
import { dicomwebClient } from '../dicom/client.js';
import { eventually } from '../support/eventually.js';
import { call, type Reply } from '../support/http.js';
import { startTestServer, useTestServer, type TestServer } from '../support/test-server.js';

const DICOM = readFileSync(new URL('../../../dicom-gateway/test/data/anonymous_ecg_12lead_waveform.dcm', import.meta.url));
const SOP = '1.3.6.1.4.1.20029.40.20130125105919.5407.1.1';
const arrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The background import runs after the study's sync: wait until `query` finds exactly one resource. */
const one = (server: { base: string }, query: string): Promise<Reply> =>
  eventually(async () => {
    const reply = await call(server.base, 'GET', query);
    return reply.body?.total === 1 ? reply : undefined;
  }, 10_000, query);

describe('ECG waveforms through the DICOM gateway', () => {
  const server = useTestServer('postgres');

  it('STOW-RS of the DICOM ECG creates the same FHIR resources as $ecg-import, once, on the study\'s patient', async () => {
    await dicomwebClient(`${server.url}/dicomweb`).storeInstances({ datasets: [arrayBuffer(DICOM)] });
    const found = await one(server, `Observation?identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${SOP}`)}`);
    const waveform = found.body.entry[0].resource;
    expect(waveform.component).toHaveLength(12);
    expect(waveform.component.map((c: Json) => c.code.text)).toEqual(['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
    const study = (await call(server.base, 'GET', `ImagingStudy?identifier=urn:dicom:uid|urn:oid:1.3.76.13.65829.2.20130125082826.1072139.2`)).body.entry[0].resource;
    expect(waveform.subject.reference).toBe(study.subject.reference);
    expect((await call(server.base, 'GET', 'Patient?identifier=urn:qiao:dicom:patient-id|642341')).body.total).toBe(1);
    const report = await one(server, `DiagnosticReport?identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${SOP}`)}`);
    expect(report.body.entry[0].resource.result.length).toBeGreaterThan(1);

    // The same file posted to $ecg-import: the resources the gateway made, nothing new.
    const before = (await call(server.base, 'GET', 'Observation?_summary=count')).body.total;
    const again = await call(server.base, 'POST', '$ecg-import', DICOM, { 'content-type': 'application/dicom' });
    expect(again.status).toBe(200);
    expect((again.body.entry as Json[]).every((e) => e.response.status.startsWith('200'))).toBe(true);
    expect((again.body.entry as Json[]).map((e) => e.response.location).find((l: string) => l.startsWith('Observation/'))).toContain(waveform.id);
    expect((await call(server.base, 'GET', 'Observation?_summary=count')).body.total).toBe(before);
  });

  it('a re-sent instance and a second ECG in the same study import once each', async () => {
    const c = dicomwebClient(`${server.url}/dicomweb`);
    await c.storeInstances({ datasets: [arrayBuffer(DICOM)] });
    const second = rewritePart10(DICOM, { SOPInstanceUID: `${SOP}.2` });
    await c.storeInstances({ datasets: [arrayBuffer(second)] });
    await one(server, `Task?identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${SOP}.2`)}`);
    const tasks = await call(server.base, 'GET', 'Task?code=https://qiao.health/fhir/CodeSystem/ecg-workflow|ecg-reading&_summary=count');
    expect(tasks.body.total).toBe(2);
  });
});

describe('ECG waveforms through DIMSE C-STORE (dcmtk storescu)', () => {
  let server: TestServer;
  let port = 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qiao-ecg-dimse-'));

  beforeAll(async () => {
    port = await freePort();
    server = await startTestServer('postgres', { dimsePort: port });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a synthetic 12-lead ECG sent with storescu, heart rate computed from its R peaks', async () => {
    const file = path.join(dir, 'ecg.dcm');
    writeFileSync(file, syntheticDicomEcg({ bpm: 84, seed: 'c-store', patientId: '110101198001011234' }));
    await promisify(execFile)('storescu', ['-aet', 'CART', '-aec', 'QIAO', '127.0.0.1', String(port), file]);
    const hr = await one(server, 'Observation?code=http://loinc.org|8867-4');
    const value = hr.body.entry[0].resource.valueQuantity.value as number;
    expect(Math.abs(value - 84)).toBeLessThanOrEqual(2);
    expect(hr.body.entry[0].resource.method.text).toContain('R-peak');
  });
});
