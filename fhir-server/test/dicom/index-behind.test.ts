import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { DicomStore, rewritePart10 } from '@qiao/dicom-gateway';
import { call } from '../support/http.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/test-server.js';
import { freePort } from '../../src/testing/throwaway-postgres.js';

jest.setTimeout(120_000);

const CT = readFileSync(new URL('../../../dicom-gateway/test/data/CT_small.dcm', import.meta.url));
const CT_STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';
const CT_SERIES = '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322';
const run = promisify(execFile);
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));


/** Index rows written behind the acknowledgement: what a modality and a reader see, and what a restart recovers. */
describe.each(BACKENDS)('DICOM index written behind the acknowledgement (%s)', (backend) => {
  let server: TestServer;
  let port: number;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qiao-index-behind-'));
  beforeAll(async () => {
    port = await freePort();
    server = await startTestServer(backend, { dimsePort: port });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a query right after storescu finds every instance it sent', async () => {
    const files = Array.from({ length: 12 }, (_, i) => {
      const file = path.join(dir, `slice-${i}.dcm`);
      writeFileSync(file, rewritePart10(CT, { SOPInstanceUID: `2.25.7700${i}`, SeriesInstanceUID: '2.25.770', StudyInstanceUID: '2.25.77', InstanceNumber: String(i + 1) }));
      return file;
    });
    await run('storescu', ['-aec', 'QIAO', '127.0.0.1', String(port), ...files], { env: { ...process.env, TCP_NODELAY: '1' } });
    const found = await call(`${server.url}/dicomweb`, 'GET', 'studies/2.25.77/series/2.25.770/instances');
    expect(found.status).toBe(200);
    expect(found.body).toHaveLength(12);
    const metadata = await call(`${server.url}/dicomweb`, 'GET', 'studies/2.25.77/metadata');
    expect(metadata.body).toHaveLength(12);
  });

  it('tells a repeat, a changed instance under a stored UID and a series of another study apart, queued or not', async () => {
    const store = new DicomStore({ sql: server.ctx.db, dataDir: path.join(dir, 'store') });
    await settle();
    const first = rewritePart10(CT, { SOPInstanceUID: '2.25.8801', SeriesInstanceUID: '2.25.880', StudyInstanceUID: '2.25.88' });
    const [a, b] = await Promise.all([store.storeInstance(first), store.storeInstance(first)]);
    expect([a.status, b.status].sort()).toEqual(['duplicate', 'stored']);
    const changed = rewritePart10(first, { PatientName: 'Changed^Name' });
    expect(await store.storeInstance(changed)).toMatchObject({ status: 'failed', failureReason: 0x0111 });
    const otherStudy = rewritePart10(CT, { SOPInstanceUID: '2.25.8802', SeriesInstanceUID: '2.25.880', StudyInstanceUID: '2.25.99' });
    expect(await store.storeInstance(otherStudy)).toMatchObject({ status: 'failed', failureReason: 0xa900 });
    // Once the rows are written the same answers come from the database.
    await store.close();
    const again = new DicomStore({ sql: server.ctx.db, dataDir: path.join(dir, 'store') });
    expect((await again.storeInstance(first)).status).toBe('duplicate');
    expect(await again.storeInstance(changed)).toMatchObject({ status: 'failed', failureReason: 0x0111 });
    expect(await again.instances({ study: '2.25.88' })).toHaveLength(1);
    expect(await again.instances({ study: '2.25.99' })).toHaveLength(0);
    await again.close();
  });

  it('indexes again at the next start an acknowledged instance whose row was lost', async () => {
    const data = path.join(dir, 'crash');
    const store = new DicomStore({ sql: server.ctx.db, dataDir: data });
    await settle();
    const lost = rewritePart10(CT, { SOPInstanceUID: '2.25.9901', SeriesInstanceUID: '2.25.990', StudyInstanceUID: '2.25.99.1' });
    expect((await store.storeInstance(lost)).status).toBe('stored');
    const [record] = await store.instances({ study: '2.25.99.1' });
    await store.close();
    // As if the process died after the acknowledgement: the file and its journal line are there, the row is not.
    await server.ctx.db.query('DELETE FROM dicom_study WHERE study_uid = $1', ['2.25.99.1']);
    writeFileSync(path.join(data, 'dicom', '.index-journal'), `${record?.storageKey}\n`);
    const restarted = new DicomStore({ sql: server.ctx.db, dataDir: data });
    const [recovered] = await restarted.instances({ study: '2.25.99.1' });
    expect(recovered).toMatchObject({ sopInstanceUID: '2.25.9901', storageKey: record?.storageKey });
    expect(readFileSync(path.join(data, 'dicom', '.index-journal'), 'utf8')).toBe('');
    await restarted.close();
  });

  it('keeps the series of the sample CT in its own study', async () => {
    const store = new DicomStore({ sql: server.ctx.db, dataDir: path.join(dir, 'sample') });
    await settle();
    expect((await store.storeInstance(CT)).status).toBe('stored');
    const moved = rewritePart10(CT, { SOPInstanceUID: '2.25.5501', StudyInstanceUID: '2.25.55' });
    expect(await store.storeInstance(moved)).toMatchObject({ status: 'failed', failureReason: 0xa900, seriesInstanceUID: CT_SERIES });
    expect(await store.instances({ study: CT_STUDY })).toHaveLength(1);
    await store.close();
  });

  it('reads the records of a whole series with the first instance asked for, and each instance only once', async () => {
    const data = path.join(dir, 'records');
    const writer = new DicomStore({ sql: server.ctx.db, dataDir: data });
    await settle();
    const sops = ['2.25.6601', '2.25.6602', '2.25.6603', '2.25.6604'];
    for (const sop of sops) expect((await writer.storeInstance(rewritePart10(CT, { SOPInstanceUID: sop, SeriesInstanceUID: '2.25.660', StudyInstanceUID: '2.25.66' }))).status).toBe('stored');
    await writer.close();
    const statements: string[] = [];
    const db = server.ctx.db;
    const counting = { ...db, query: ((text: string, ...rest: unknown[]) => (statements.push(text), (db.query as (...a: unknown[]) => unknown)(text, ...rest))) as typeof db.query };
    const reader = new DicomStore({ sql: counting, dataDir: data });
    await settle();
    statements.length = 0;
    for (const sop of [...sops].reverse()) {
      const [record] = await reader.instances({ study: '2.25.66', series: '2.25.660', sop });
      expect(record?.sopInstanceUID).toBe(sop);
    }
    expect(statements.filter((t) => /FROM dicom_instance/.test(t))).toHaveLength(1);
    // An instance the series does not hold is not found, and a wrong series finds nothing either.
    expect(await reader.instances({ study: '2.25.66', series: '2.25.660', sop: '2.25.6699' })).toEqual([]);
    expect(await reader.instances({ study: '2.25.66', series: '2.25.661', sop: '2.25.6601' })).toEqual([]);
    await reader.close();
  });
});
