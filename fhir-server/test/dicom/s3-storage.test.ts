import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { rewritePart10 } from '@qiao/dicom-gateway';
import dicomParser from 'dicom-parser';
import { loadConfig } from '../../src/config.js';
import { freePort } from '../../src/testing/throwaway-postgres.js';
import { call } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { listKeys, S3RVER_KEYS, startS3, type Emulator } from '../../../dicom-gateway/test/support/s3.js';
import { dicomwebClient, failure } from './client.js';

jest.setTimeout(120_000);

const run = promisify(execFile);
const CT_FILE = path.resolve(import.meta.dirname, '../../../dicom-gateway/test/data/CT_small.dcm');
const CT = { study: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322', series: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322', sop: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322' };
const BUCKET = 'qiao-images';
const PREFIX = 'county-hospital';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('DICOM files in S3-compatible storage (QIAO_DICOM_STORAGE=s3, against s3rver)', () => {
  let s3: Emulator;
  let server: TestServer;
  let port: number;
  let work: string;
  let ct: Buffer;
  const client = () => dicomwebClient(`${server.url}/dicomweb`);
  const object = async (key: string): Promise<Buffer> => Buffer.from(await (await fetch(`${s3.endpoint}/${BUCKET}/${key}`)).arrayBuffer());

  beforeAll(async () => {
    s3 = await startS3([BUCKET]);
    port = await freePort();
    work = await mkdtemp(path.join(os.tmpdir(), 'qiao-s3-storage-'));
    ct = await readFile(CT_FILE);
    server = await startTestServer('pglite', {
      dimsePort: port,
      dicomStorage: { kind: 's3', endpoint: s3.endpoint, bucket: BUCKET, region: 'cn-north-1', prefix: PREFIX, ...S3RVER_KEYS },
    });
  });
  afterAll(async () => {
    await server?.close();
    await s3?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('STOW-RS puts the instance in the bucket, not on the local disk; WADO-RS serves it back byte for byte', async () => {
    const reply = await client().storeInstances({ datasets: [ct.buffer.slice(ct.byteOffset, ct.byteOffset + ct.byteLength)] });
    const stored = typeof reply === 'string' ? JSON.parse(reply) : JSON.parse(Buffer.from(reply as ArrayBuffer).toString());
    expect(stored['00081199'].Value).toHaveLength(1);

    const keys = await listKeys(s3.endpoint, BUCKET, `${PREFIX}/`);
    expect(keys).toHaveLength(1);
    const [key] = keys as [string];
    expect(key.startsWith(`${PREFIX}/${CT.study}/${CT.series}/${CT.sop}.`)).toBe(true);
    expect(key).toMatch(/\.[0-9a-f]{16}\.dcm$/);
    expect((await object(key)).equals(ct)).toBe(true);
    const local = path.join(server.ctx.config.dataDir, 'dicom');
    expect(existsSync(path.join(local, CT.study))).toBe(false);
    expect(existsSync(path.join(local, '.incoming')) ? readdirSync(path.join(local, '.incoming')) : []).toEqual([]);

    const c = client();
    const instance = await c.retrieveInstance({ studyInstanceUID: CT.study, seriesInstanceUID: CT.series, sopInstanceUID: CT.sop });
    expect(Buffer.from(instance).equals(ct)).toBe(true);
    const pixel = dicomParser.parseDicom(ct).elements.x7fe00010!;
    const pixels = ct.subarray(pixel.dataOffset, pixel.dataOffset + pixel.length);
    const [frame] = await c.retrieveInstanceFrames({ studyInstanceUID: CT.study, seriesInstanceUID: CT.series, sopInstanceUID: CT.sop, frameNumbers: '1' });
    expect(Buffer.from(frame).equals(pixels)).toBe(true);
    const [meta] = await c.retrieveInstanceMetadata({ studyInstanceUID: CT.study, seriesInstanceUID: CT.series, sopInstanceUID: CT.sop });
    expect(meta['00080018'].Value).toEqual([CT.sop]);
    expect(meta['00100010'].Value[0].Alphabetic).toBe('CompressedSamples^CT1');
    const [bulk] = await c.retrieveBulkData({ BulkDataURI: meta['7FE00010'].BulkDataURI });
    expect(Buffer.from(bulk).equals(pixels)).toBe(true);
    const study = await c.retrieveStudy({ studyInstanceUID: CT.study });
    expect(study).toHaveLength(1);
    expect(Buffer.from(study[0]).equals(ct)).toBe(true);
  });

  it('C-STORE (dcmtk storescu) lands in the bucket too, and is served from it', async () => {
    const uids = { StudyInstanceUID: '2.25.4242', SeriesInstanceUID: '2.25.42420', SOPInstanceUID: '2.25.424201' };
    const sent = rewritePart10(ct, uids);
    const file = path.join(work, 'slice.dcm');
    await writeFile(file, sent);
    await run('storescu', ['-aec', 'QIAO', '127.0.0.1', String(port), file], { env: { ...process.env, TCP_NODELAY: '1' } });

    const keys = await listKeys(s3.endpoint, BUCKET, `${PREFIX}/2.25.4242/`);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.startsWith(`${PREFIX}/2.25.4242/2.25.42420/2.25.424201.`)).toBe(true);
    // DIMSE carries the data set without its file meta information: the gateway writes its own, so
    // the object is compared with what was sent element by element where it matters.
    const inBucket = await object(keys[0] as string);
    const parsed = dicomParser.parseDicom(inBucket);
    expect(parsed.string('x00080018')).toBe(uids.SOPInstanceUID);
    const pixelsOf = (data: Buffer, p: dicomParser.DataSet) => data.subarray(p.elements.x7fe00010!.dataOffset, p.elements.x7fe00010!.dataOffset + p.elements.x7fe00010!.length);
    expect(pixelsOf(inBucket, parsed).equals(pixelsOf(sent, dicomParser.parseDicom(sent)))).toBe(true);
    const found = await call(`${server.url}/dicomweb`, 'GET', 'studies/2.25.4242/series/2.25.42420/instances');
    expect(found.body.map((i: Json) => i['00080018'].Value[0])).toEqual([uids.SOPInstanceUID]);
    const instance = await client().retrieveInstance({ studyInstanceUID: uids.StudyInstanceUID, seriesInstanceUID: uids.SeriesInstanceUID, sopInstanceUID: uids.SOPInstanceUID });
    expect(Buffer.from(instance).equals(inBucket)).toBe(true);
  });
});

describe('a bucket that refuses the upload (S3 storage)', () => {
  let s3: Emulator;
  let server: TestServer;
  beforeAll(async () => {
    s3 = await startS3([BUCKET]);
    server = await startTestServer('pglite', { dicomStorage: { kind: 's3', endpoint: s3.endpoint, bucket: 'no-such-bucket', region: 'us-east-1', ...S3RVER_KEYS } });
  });
  afterAll(async () => {
    await server?.close();
    await s3?.close();
  });

  it('fails the instance (processing failure), indexes nothing and leaves no staged file', async () => {
    const ct = await readFile(CT_FILE);
    const failed = await failure(dicomwebClient(`${server.url}/dicomweb`).storeInstances({ datasets: [ct.buffer.slice(ct.byteOffset, ct.byteOffset + ct.byteLength)] }));
    expect(failed.status).toBe(409);
    const body = JSON.parse(Buffer.from(failed.response as ArrayBuffer).toString());
    expect(body['00081198'].Value[0]['00081197'].Value).toEqual([0x0110]);
    expect((await call(`${server.url}/dicomweb`, 'GET', 'studies')).body ?? []).toEqual([]);
    expect(readdirSync(path.join(server.ctx.config.dataDir, 'dicom', '.incoming'))).toEqual([]);
  });
});

describe('QIAO_DICOM_STORAGE configuration', () => {
  const s3Env = {
    QIAO_DICOM_STORAGE: 's3',
    QIAO_S3_ENDPOINT: 'http://127.0.0.1:9000',
    QIAO_S3_BUCKET: 'pacs',
    QIAO_S3_ACCESS_KEY_ID: 'id',
    QIAO_S3_SECRET_ACCESS_KEY: 'secret',
  };

  it('is the local file store unless asked for s3', () => {
    expect(loadConfig({}).dicomStorage).toEqual({ kind: 'file' });
    expect(() => loadConfig({ QIAO_DICOM_STORAGE: 'ftp' })).toThrow(/QIAO_DICOM_STORAGE must be one of file, s3/);
  });

  it('reads the S3 settings, us-east-1 by default', () => {
    expect(loadConfig(s3Env).dicomStorage).toEqual({ kind: 's3', endpoint: 'http://127.0.0.1:9000', bucket: 'pacs', region: 'us-east-1', accessKeyId: 'id', secretAccessKey: 'secret', addressing: 'path' });
    expect(loadConfig({ ...s3Env, QIAO_S3_REGION: 'cn-hangzhou', QIAO_S3_PREFIX: 'site-a', QIAO_S3_ADDRESSING: 'virtual' }).dicomStorage).toMatchObject({ region: 'cn-hangzhou', prefix: 'site-a', addressing: 'virtual' });
    expect(() => loadConfig({ ...s3Env, QIAO_S3_ADDRESSING: 'dns' })).toThrow(/QIAO_S3_ADDRESSING must be one of path, virtual/);
  });

  it.each(['QIAO_S3_ENDPOINT', 'QIAO_S3_BUCKET', 'QIAO_S3_ACCESS_KEY_ID', 'QIAO_S3_SECRET_ACCESS_KEY'])('names %s when it is missing', (name) => {
    expect(() => loadConfig({ ...s3Env, [name]: '' })).toThrow(`QIAO_DICOM_STORAGE=s3 needs ${name}`);
  });

  it('refuses an endpoint that is not an http(s) URL, and a bucket, prefix or region that would not stay in its place', () => {
    expect(() => loadConfig({ ...s3Env, QIAO_S3_ENDPOINT: 's3.example.cn' })).toThrow(/QIAO_S3_ENDPOINT must be an http\(s\) URL/);
    expect(() => loadConfig({ ...s3Env, QIAO_S3_BUCKET: '../other' })).toThrow(/QIAO_S3_BUCKET "\.\.\/other" is not a bucket name/);
    expect(() => loadConfig({ ...s3Env, QIAO_S3_PREFIX: 'a/../b' })).toThrow(/QIAO_S3_PREFIX "a\/\.\.\/b" may hold only/);
    expect(() => loadConfig({ ...s3Env, QIAO_S3_PREFIX: '/abs' })).toThrow(/QIAO_S3_PREFIX/);
    expect(() => loadConfig({ ...s3Env, QIAO_S3_REGION: 'us east' })).toThrow(/QIAO_S3_REGION "us east" is not a region name/);
    expect(loadConfig({ ...s3Env, QIAO_S3_PREFIX: 'hospital-1/pacs/' }).dicomStorage).toMatchObject({ prefix: 'hospital-1/pacs/' });
  });
});
