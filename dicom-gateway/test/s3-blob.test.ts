import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { S3BlobStore, S3Error, type S3BlobOptions } from '../src/store/s3-blob.js';
import { EMPTY_SHA256, SigV4 } from '../src/store/sigv4.js';
import { listKeys, recordingProxy, S3RVER_KEYS, startS3, type Emulator } from './support/s3.js';

// Debian's python3-botocore (installed by .ci/run).
const BOTOCORE_SIGV4 = path.join(import.meta.dirname, 'support', 'botocore-sigv4.py');

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('it succeeded');
}

// The examples of the S3 API reference ("Signature Calculations for the Authorization Header"),
// with its documented example credentials and signatures.
describe('SigV4 against the S3 documentation examples', () => {
  const signer = new SigV4({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' });
  const now = new Date('2013-05-24T00:00:00Z');
  const host = 'examplebucket.s3.amazonaws.com';
  const signatureOf = (headers: Record<string, string>) => /Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '')?.[1];

  it('GET Object with a Range', () => {
    const headers = signer.sign({ method: 'GET', host, path: '/test.txt', query: [], headers: { Range: 'bytes=0-9' }, payloadHash: EMPTY_SHA256 }, now);
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
  });

  it('PUT Object with an escaped key and extra signed headers', () => {
    const headers = signer.sign(
      {
        method: 'PUT',
        host,
        path: '/test%24file.text',
        query: [],
        headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadHash: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      },
      now,
    );
    expect(signatureOf(headers)).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('GET Bucket with query parameters given out of order', () => {
    const headers = signer.sign({ method: 'GET', host, path: '/', query: [['prefix', 'J'], ['max-keys', '2']], headers: {}, payloadHash: EMPTY_SHA256 }, now);
    expect(signatureOf(headers)).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });

  it('GET Bucket lifecycle (a parameter without a value)', () => {
    const headers = signer.sign({ method: 'GET', host, path: '/', query: [['lifecycle', '']], headers: {}, payloadHash: EMPTY_SHA256 }, now);
    expect(signatureOf(headers)).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
  });
});

describe('S3BlobStore against an S3 emulator (s3rver)', () => {
  const bucket = 'qiao-dicom';
  const prefix = 'site-a/dicom';
  let s3: Emulator;
  let localDir: string;
  let options: S3BlobOptions;
  let store: S3BlobStore;

  beforeAll(async () => {
    s3 = await startS3([bucket]);
    localDir = await mkdtemp(path.join(os.tmpdir(), 'qiao-s3-local-'));
    // Small parts, so that a 12 MiB file goes up in three of them.
    options = { endpoint: s3.endpoint, bucket, region: 'us-east-1', ...S3RVER_KEYS, prefix, localDir, multipartBytes: 8 * 1024 * 1024, partBytes: 5 * 1024 * 1024 };
    store = new S3BlobStore(options);
  });
  afterAll(async () => {
    store?.close();
    await s3?.close();
    await rm(localDir, { recursive: true, force: true });
  });

  const data = randomBytes(300_000);
  const key = '1.2.3/1.2.3.4/1.2.3.4.5.0123456789abcdef.dcm';
  let staged = 0;
  /** Stages `bytes` as the DICOM store does (a file at `incomingPath`) and uploads it. */
  const upload = async (target: S3BlobStore, objectKey: string, bytes: Buffer): Promise<string> => {
    const local = await target.incomingPath(`${++staged}.part`);
    await writeFile(local, bytes);
    await target.put(objectKey, local);
    return local;
  };

  it('uploads a staged file under the prefix, removes the local copy and reads ranges back, into a given buffer too', async () => {
    const local = await upload(store, key, data);
    expect(local.startsWith(path.join(localDir, '.incoming') + path.sep)).toBe(true);
    expect(existsSync(local)).toBe(false);
    expect(await listKeys(s3.endpoint, bucket, prefix)).toContain(`${prefix}/${key}`);

    expect((await store.read(key, 0, data.length)).equals(data)).toBe(true);
    expect((await store.read(key, 12_345, 4096)).equals(data.subarray(12_345, 12_345 + 4096))).toBe(true);
    const into = Buffer.alloc(8192, 0xff);
    const got = await store.read(key, 100, 2000, into);
    // As from the file store: the given buffer itself, the range at its start.
    expect(got).toBe(into);
    expect(into.subarray(0, 2000).equals(data.subarray(100, 2100))).toBe(true);
    expect(into[2000]).toBe(0xff);
    // Past the end: fewer bytes, then none, as a file read gives.
    expect((await store.read(key, data.length - 10, 100)).equals(data.subarray(data.length - 10))).toBe(true);
    expect((await store.read(key, data.length + 5, 100)).length).toBe(0);
  });

  it('streams the whole object and ranges of it', async () => {
    expect((await collect(store.stream(key))).equals(data)).toBe(true);
    expect((await collect(store.stream(key, 1000))).equals(data.subarray(1000))).toBe(true);
    expect((await collect(store.stream(key, 1000, 1999))).equals(data.subarray(1000, 2000))).toBe(true);
    expect((await collect(store.stream(key, undefined, 99))).equals(data.subarray(0, 100))).toBe(true);
  });

  it('uploads a large staged file in parts (multipart upload)', async () => {
    const proxy = await recordingProxy(s3.endpoint);
    const watched = new S3BlobStore({ ...options, endpoint: proxy.endpoint });
    const local = await watched.incomingPath('big.part');
    const big = randomBytes(12 * 1024 * 1024 + 17);
    await writeFile(local, big);
    const bigKey = '9.8/9.8.7/9.8.7.7.bbbbbbbbbbbbbbbb.dcm';
    try {
      await watched.put(bigKey, local);
    } finally {
      watched.close();
      await proxy.close();
    }
    expect(existsSync(local)).toBe(false);
    const objectPath = `/${bucket}/${prefix}/${bigKey}`;
    expect(proxy.seen.map((r) => `${r.method} ${r.url.replace(/uploadId=[^&]+/, 'uploadId=…')}`)).toEqual([
      `POST ${objectPath}?uploads`,
      `PUT ${objectPath}?partNumber=1&uploadId=…`,
      `PUT ${objectPath}?partNumber=2&uploadId=…`,
      `PUT ${objectPath}?partNumber=3&uploadId=…`,
      `POST ${objectPath}?uploadId=…`,
    ]);
    expect(proxy.seen.slice(1, 4).map((r) => Number(r.headers['content-length']))).toEqual([5 * 1024 * 1024, 5 * 1024 * 1024, 2 * 1024 * 1024 + 17]);
    // Parts are streamed from the file unhashed; the completion, made here, is signed with its hash.
    expect(proxy.seen.slice(1, 4).every((r) => r.headers['x-amz-content-sha256'] === 'UNSIGNED-PAYLOAD')).toBe(true);
    expect(proxy.seen[4]?.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(proxy.seen.every((r) => /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request,SignedHeaders=[a-z0-9;-]+,Signature=[0-9a-f]{64}$/.test(String(r.headers.authorization)))).toBe(true);
    expect((await collect(store.stream(bigKey))).equals(big)).toBe(true);
    const range = await store.read(bigKey, 6 * 1024 * 1024 - 3, 10);
    expect(range.equals(big.subarray(6 * 1024 * 1024 - 3, 6 * 1024 * 1024 + 7))).toBe(true);
  });

  it('signs every request as botocore (a second SigV4 implementation) does, from the headers it sent', async () => {
    const proxy = await recordingProxy(s3.endpoint);
    const watched = new S3BlobStore({ ...options, endpoint: proxy.endpoint, region: 'cn-north-1' });
    const signedKey = '7.7/7.7.7/7.7.7.7.eeeeeeeeeeeeeeee.dcm';
    try {
      await upload(watched, signedKey, randomBytes(9 * 1024 * 1024));
      await watched.read(signedKey, 100, 200);
      await collect(watched.stream(signedKey, 5, 50));
      await watched.remove(signedKey);
      await watched.remove(signedKey);
    } finally {
      watched.close();
      await proxy.close();
    }
    expect(proxy.seen.map((r) => r.method)).toEqual(['POST', 'PUT', 'PUT', 'POST', 'GET', 'GET', 'DELETE', 'DELETE']);
    const requests = proxy.seen.map((r) => ({ method: r.method, url: r.url, headers: r.headers, secretAccessKey: S3RVER_KEYS.secretAccessKey }));
    const expected = JSON.parse(execFileSync('/usr/bin/python3', [BOTOCORE_SIGV4], { input: JSON.stringify(requests) }).toString()) as string[];
    expect(proxy.seen.map((r) => /Signature=([0-9a-f]{64})$/.exec(String(r.headers.authorization))?.[1])).toEqual(expected);
  });

  it('addresses the bucket as a virtual host when asked (as Alibaba Cloud OSS requires), signed for that host', async () => {
    const proxy = await recordingProxy(s3.endpoint);
    const port = new URL(proxy.endpoint).port;
    // The test's stand-in for DNS: every host name is the loopback address, where the proxy listens.
    const lookup = (_host: string, opts: { all?: boolean }, done: (...args: unknown[]) => void) => (opts.all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4));
    const agent = new http.Agent({ keepAlive: true, lookup: lookup as never });
    const vhost = new S3BlobStore({ ...options, endpoint: `http://s3.amazonaws.com:${port}`, addressing: 'virtual', agent });
    const vhostKey = '8.8/8.8.8/8.8.8.8.1111111111111111.dcm';
    const bytes = randomBytes(40_000);
    try {
      await upload(vhost, vhostKey, bytes);
      expect(await listKeys(s3.endpoint, bucket, prefix)).toContain(`${prefix}/${vhostKey}`);
      expect((await vhost.read(vhostKey, 1, 3)).equals(bytes.subarray(1, 4))).toBe(true);
      await vhost.remove(vhostKey);
    } finally {
      vhost.close();
      await proxy.close();
    }
    expect(proxy.seen.map((r) => [r.headers.host, r.url])).toEqual(Array(3).fill([`${bucket}.s3.amazonaws.com:${port}`, `/${prefix}/${vhostKey}`]));
    const requests = proxy.seen.map((r) => ({ method: r.method, url: r.url, headers: r.headers, secretAccessKey: S3RVER_KEYS.secretAccessKey }));
    const expected = JSON.parse(execFileSync('/usr/bin/python3', [BOTOCORE_SIGV4], { input: JSON.stringify(requests) }).toString()) as string[];
    expect(proxy.seen.map((r) => /Signature=([0-9a-f]{64})$/.exec(String(r.headers.authorization))?.[1])).toEqual(expected);
    expect(() => new S3BlobStore({ ...options, bucket: 'Upper_Case', addressing: 'virtual' })).toThrow(/virtual-hosted/);
  });

  it('tries a 503 SlowDown again, and gives up with its code after three answers', async () => {
    const once = await recordingProxy(s3.endpoint, 1);
    const patient = new S3BlobStore({ ...options, endpoint: once.endpoint });
    const retriedKey = '6.6/6.6.6/6.6.6.6.ffffffffffffffff.dcm';
    const bytes = randomBytes(50_000);
    try {
      await upload(patient, retriedKey, bytes);
      expect((await patient.read(retriedKey, 10, 20)).equals(bytes.subarray(10, 30))).toBe(true);
    } finally {
      patient.close();
      await once.close();
    }
    expect(once.seen.map((r) => r.method)).toEqual(['PUT', 'PUT', 'GET']);

    const always = await recordingProxy(s3.endpoint, 100);
    const hopeless = new S3BlobStore({ ...options, endpoint: always.endpoint });
    try {
      expect(await failure(hopeless.read(retriedKey, 0, 10))).toMatchObject({ status: 503, code: 'SlowDown' });
      expect(await failure(collect(hopeless.stream(retriedKey)))).toMatchObject({ status: 503, code: 'SlowDown' });
    } finally {
      hopeless.close();
      await always.close();
    }
    expect(always.seen).toHaveLength(6);
  });

  it('removes an object; reading it then fails with the service’s NoSuchKey, removing it again does not', async () => {
    const gone = '1.2.3/1.2.3.4/1.2.3.4.6.0000000000000000.dcm';
    await upload(store, gone, Buffer.from('bytes'));
    await store.remove(gone);
    expect(await listKeys(s3.endpoint, bucket, prefix)).not.toContain(`${prefix}/${gone}`);
    const error = await failure(store.read(gone, 0, 5));
    expect(error).toBeInstanceOf(S3Error);
    expect(error).toMatchObject({ status: 404, code: 'NoSuchKey' });
    const streamed = await failure(collect(store.stream(gone)));
    expect(streamed).toMatchObject({ status: 404, code: 'NoSuchKey' });
    await expect(store.remove(gone)).resolves.toBeUndefined();
  });

  it('turns the service’s refusals into errors with its code: unknown access key (403), missing bucket (404)', async () => {
    const stranger = new S3BlobStore({ ...options, accessKeyId: 'NOT-A-KEY' });
    const local = await stranger.incomingPath('denied.part');
    await writeFile(local, data);
    const denied = await failure(stranger.put(key, local));
    expect(denied).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    // A failed upload leaves the staged file to its owner (the DICOM store removes it).
    expect(existsSync(local)).toBe(true);
    expect(denied.message).toContain('InvalidAccessKeyId');
    stranger.close();
    const nowhere = new S3BlobStore({ ...options, bucket: 'no-such-bucket' });
    expect(await failure(nowhere.read(key, 0, 10))).toMatchObject({ status: 404, code: 'NoSuchBucket' });
    nowhere.close();
  });

  it.each(['../etc/passwd', '1.2/../../x.dcm', '/1.2/3.dcm', '1.2//3.dcm', '1.2/3 4.dcm', '1.2\\3.dcm', '1.2/%2e%2e/x', '1.2/3.dcm?acl', ''])('refuses the key %j', async (bad) => {
    await expect(store.read(bad, 0, 1)).rejects.toThrow(/storage key not allowed/);
    await expect(upload(store, bad, data)).rejects.toThrow(/storage key not allowed/);
    await expect(store.remove(bad)).rejects.toThrow(/storage key not allowed/);
    await expect(collect(store.stream(bad))).rejects.toThrow(/storage key not allowed/);
  });

  it('refuses a bucket or prefix that would leave the path', () => {
    expect(() => new S3BlobStore({ ...options, bucket: '../other' })).toThrow(/S3 bucket not allowed/);
    expect(() => new S3BlobStore({ ...options, prefix: 'a/../../b' })).toThrow(/S3 key prefix not allowed/);
    expect(() => new S3BlobStore({ ...options, endpoint: 'file:///tmp' })).toThrow(/http\(s\) URL/);
  });
});
