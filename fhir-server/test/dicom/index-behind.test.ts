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
    const metadata = await call(`${server.url}/dicomweb`, 'GET', 'studies/2.25.77/metadata', undefined, { accept: 'application/dicom+json' });
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

  it('writes the rows that wait together in one statement, each patient, series and study counted once per instance', async () => {
    const db = server.ctx.db;
    const indexStatements: number[] = [];
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first index statement waits until every instance is acknowledged, so the rest queue behind it.
    const gated = {
      ...db,
      query: (async (text: string, ...rest: unknown[]) => {
        if (/INSERT INTO dicom_instance/.test(text)) {
          indexStatements.push(JSON.parse((rest[0] as string[])[0] as string).length);
          if (indexStatements.length === 1) await held;
        }
        return (db.query as (...a: unknown[]) => unknown)(text, ...rest);
      }) as typeof db.query,
    };
    const store = new DicomStore({ sql: gated, dataDir: path.join(dir, 'batch') });
    await settle();
    const instance = (sop: string, series: string, study: string, modality: string, patient: string) =>
      rewritePart10(CT, { SOPInstanceUID: sop, SeriesInstanceUID: series, StudyInstanceUID: study, Modality: modality, PatientID: patient, PatientName: `Batch^${patient}` });
    expect((await store.storeInstance(instance('2.25.4401', '2.25.440', '2.25.44', 'CT', 'B-1'))).status).toBe('stored');
    while (indexStatements.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const rest = [
      instance('2.25.4402', '2.25.440', '2.25.44', 'CT', 'B-1'),
      instance('2.25.4411', '2.25.441', '2.25.44', 'MR', 'B-1'),
      instance('2.25.4412', '2.25.441', '2.25.44', 'MR', 'B-1'),
      instance('2.25.4501', '2.25.450', '2.25.45', 'CT', 'B-2'),
      instance('2.25.4401', '2.25.440', '2.25.44', 'CT', 'B-1'),
    ];
    const results = await Promise.all(rest.map((bytes) => store.storeInstance(bytes)));
    expect(results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored', 'stored', 'duplicate']);
    release();
    await store.close();
    expect(indexStatements).toEqual([1, 4]);
    const studies = await db.query<{ study_uid: string; instance_count: number; series_count: number; modalities: string[]; patient_id: string }>(
      `SELECT t.study_uid, t.instance_count, t.series_count, t.modalities, p.patient_id FROM dicom_study t JOIN dicom_patient p USING (patient_key)
       WHERE t.study_uid IN ('2.25.44', '2.25.45') ORDER BY t.study_uid`,
    );
    expect(studies.map((s) => ({ ...s, modalities: [...s.modalities].sort() }))).toEqual([
      { study_uid: '2.25.44', instance_count: 4, series_count: 2, modalities: ['CT', 'MR'], patient_id: 'B-1' },
      { study_uid: '2.25.45', instance_count: 1, series_count: 1, modalities: ['CT'], patient_id: 'B-2' },
    ]);
    const series = await db.query<{ series_uid: string; instance_count: number; modality: string }>(
      `SELECT series_uid, instance_count, modality FROM dicom_series WHERE study_uid IN ('2.25.44', '2.25.45') ORDER BY series_uid`,
    );
    expect(series).toEqual([
      { series_uid: '2.25.440', instance_count: 2, modality: 'CT' },
      { series_uid: '2.25.441', instance_count: 2, modality: 'MR' },
      { series_uid: '2.25.450', instance_count: 1, modality: 'CT' },
    ]);
    // The stored DICOM JSON is the text the gateway serialised, byte for byte (WADO-RS splices it).
    const [row] = await db.query<{ metadata: string; attrs: string }>(`SELECT metadata, attrs FROM dicom_instance WHERE sop_instance_uid = '2.25.4411'`);
    const metadata = JSON.parse(row?.metadata ?? 'null') as Record<string, { Value?: unknown[] }>;
    expect(row?.metadata).toBe(JSON.stringify(metadata));
    expect(metadata['00080060']?.Value).toEqual(['MR']);
    expect(metadata['00083002']?.Value).toEqual(['1.2.840.10008.1.2.1']);
    expect(row?.attrs).toBe(JSON.stringify(JSON.parse(row?.attrs ?? 'null')));
    const found = await call(`${server.url}/dicomweb`, 'GET', 'studies?PatientID=B-1');
    expect(found.status).toBe(200);
    const [study] = found.body as Record<string, { Value?: unknown[] }>[];
    expect(study?.['00201208']?.Value).toEqual([4]);
    expect(study?.['00201206']?.Value).toEqual([2]);
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
