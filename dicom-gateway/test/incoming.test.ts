/**
 * An instance arriving chunk by chunk: hashed and written to its temp file as it comes, its first
 * bytes kept for the header parse, whether the temp path was known before the first chunk or not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HEAD_BYTES } from '../src/dicom/parse.js';
import { fileMetaHeader } from '../src/dicom/part10-meta.js';
import { Incoming, TooLarge } from '../src/store/incoming.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-incoming-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const tempPath = () => Promise.resolve(path.join(dir, `${++n}.part`));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function feed(incoming: Incoming, data: Buffer, chunk: number): void {
  for (let at = 0; at < data.length; at += chunk) incoming.write(data.subarray(at, at + chunk));
}

describe('Incoming', () => {
  it('writes and hashes the chunks as they come, keeping the first bytes for the header', async () => {
    const data = randomBytes(3 * HEAD_BYTES + 12_345);
    const incoming = new Incoming(tempPath(), 10 * data.length);
    await new Promise((resolve) => setImmediate(resolve));
    feed(incoming, data, 65_536);
    expect((await readFile(incoming.path as string)).equals(data)).toBe(true);
    const received = await incoming.finish();
    expect(received?.hashes(data.length).dataSet).toBe(sha256(data));
    expect(received?.head.length).toBeGreaterThanOrEqual(HEAD_BYTES);
    expect(received?.head.equals(data.subarray(0, received.head.length))).toBe(true);
    expect((await readFile(received?.temp as string)).equals(data)).toBe(true);
  });

  it('holds the chunks that come before the temp path is known, and writes them first', async () => {
    const data = randomBytes(200_000);
    const incoming = new Incoming(tempPath(), 10 * data.length);
    feed(incoming, data.subarray(0, 150_000), 50_000);
    expect(incoming.path).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    incoming.write(data.subarray(150_000));
    const received = await incoming.finish();
    expect(received?.hashes(data.length).dataSet).toBe(sha256(data));
    expect((await readFile(received?.temp as string)).equals(data)).toBe(true);
  });

  it('hashes the data set of a Part 10 file apart from its file meta and trailing padding, at any chunking', async () => {
    const dataset = randomBytes(3 * HEAD_BYTES);
    const sop = { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '1.2.3.4', transferSyntaxUid: '1.2.840.10008.1.2.1' };
    const files = [fileMetaHeader({ ...sop, sourceAeTitle: 'MODALITY1' }), fileMetaHeader({ ...sop, sourceAeTitle: 'ROUTER2' }), fileMetaHeader(sop)].map((meta) => Buffer.concat([meta, dataset]));
    const received = [];
    for (const [i, file] of files.entries()) {
      for (const chunk of [1, 7, 160, 65_536, file.length]) {
        const incoming = new Incoming(tempPath(), 10 * file.length);
        // Byte by byte only through the file meta: the rest of the instance in one go.
        if (chunk === 1) {
          feed(incoming, file.subarray(0, 400), 1);
          incoming.write(file.subarray(400));
        } else {
          feed(incoming, file, chunk);
        }
        const got = await incoming.finish();
        // Whole, and without the last 200 bytes (where Data Set Trailing Padding would begin).
        expect([i, chunk, got?.hashes(file.length).dataSet, got?.hashes(file.length - 200).dataSet]).toEqual([i, chunk, sha256(dataset), sha256(dataset.subarray(0, -200))]);
        received.push(got?.hashes(file.length - 200).file);
      }
    }
    // The file hash is of the file as it is, padding and all: one per file meta.
    expect(new Set(received).size).toBe(files.length);
  });

  it('refuses an instance over the limit, and has nothing for an empty one', async () => {
    const incoming = new Incoming(tempPath(), 1000);
    incoming.write(Buffer.alloc(600));
    expect(() => incoming.write(Buffer.alloc(600))).toThrow(TooLarge);
    incoming.abandon();
    expect(await new Incoming(tempPath(), 1000).finish()).toBeUndefined();
  });
});
