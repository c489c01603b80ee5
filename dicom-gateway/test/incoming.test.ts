/**
 * An instance arriving chunk by chunk: hashed and written to its temp file as it comes, its first
 * bytes kept for the header parse, whether the temp path was known before the first chunk or not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HEAD_BYTES } from '../src/dicom/parse.js';
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
    expect(received?.sha256).toBe(sha256(data));
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
    expect(received?.sha256).toBe(sha256(data));
    expect((await readFile(received?.temp as string)).equals(data)).toBe(true);
  });

  it('refuses an instance over the limit, and has nothing for an empty one', async () => {
    const incoming = new Incoming(tempPath(), 1000);
    incoming.write(Buffer.alloc(600));
    expect(() => incoming.write(Buffer.alloc(600))).toThrow(TooLarge);
    incoming.abandon();
    expect(await new Incoming(tempPath(), 1000).finish()).toBeUndefined();
  });
});
