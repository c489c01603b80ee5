import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { auditLog } from '../../src/audit/index.js';
import { eventually } from '../support/eventually.js';
import { call } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { freePort } from '../../src/testing/throwaway-postgres.js';

jest.setTimeout(120000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const run = promisify(execFile);
const CT = new URL('../../../dicom-gateway/test/data/CT_small.dcm', import.meta.url).pathname;
const CT_STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';
const QIAO_EVENT = 'https://qiao.health/fhir/CodeSystem/audit-event';
const env = { ...process.env, TCP_NODELAY: '1' };


describe('audit of DIMSE (dcmtk storescu, findscu)', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    server = await startTestServer('pglite', { dimsePort: port });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('records a C-STORE with its study, the ImagingStudy sync with the patient, and a C-FIND with its query', async () => {
    await run('storescu', ['-aec', 'QIAO', '127.0.0.1', String(port), CT], { env });
    await run('findscu', ['-S', '-aec', 'QIAO', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${CT_STUDY}`, '127.0.0.1', String(port)], { env });
    // A C-STORE's ImagingStudy follows after a quiet spell (DIMSE sends a study one instance at a time).
    const study = await eventually(async () => (await call(server.base, 'GET', `ImagingStudy?identifier=urn:dicom:uid|urn:oid:${CT_STUDY}`)).body.entry?.[0]?.resource, 10_000, 'the ImagingStudy');
    await auditLog(server.ctx).flush();
    const events = async (query: string): Promise<Json[]> => ((await call(server.base, 'GET', `AuditEvent?${query}`)).body.entry ?? []).map((e: Json) => e.resource);

    const [store] = await events(`subtype=${QIAO_EVENT}|c-store`);
    expect(store).toMatchObject({ action: 'C', outcome: '0', agent: [{ who: { identifier: { value: 'dimse-peer' } } }] });
    expect(store.entity).toContainEqual(expect.objectContaining({ what: { identifier: { system: 'urn:dicom:uid', value: `urn:oid:${CT_STUDY}` } } }));
    const patient = study.subject.reference;
    // The first instance of a study arrives before its ImagingStudy (and patient) exist: the sync that
    // follows is recorded with the patient, so a search by patient finds the study's arrival.
    const byPatient = await events(`patient=${patient}`);
    expect(byPatient.some((e) => e.entity.some((x: Json) => x.what?.reference?.startsWith('ImagingStudy/')))).toBe(true);
    const finds = await events(`subtype=${QIAO_EVENT}|c-find`);
    expect(finds.length).toBeGreaterThan(0);
    expect(Buffer.from(finds[0].entity.find((x: Json) => x.query).query, 'base64').toString()).toContain(CT_STUDY);
  });
});
