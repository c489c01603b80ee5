/**
 * WADO-RS frames through FrameSource on the real file store: a frame is kept from its second read,
 * served from memory after that, the least recently used leaves first, and a kept frame never goes
 * back to the buffer pool (a later frame read into a pooled buffer must not overwrite it).
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FrameIndex } from '../src/dicom/parse.js';
import { FileBlobStore } from '../src/store/blob.js';
import type { InstanceRecord } from '../src/store/store.js';
import type { DicomwebOptions } from '../src/web/context.js';
import { FrameSource } from '../src/web/frame-source.js';

const FRAME = 64 * 1024;
const FRAMES = 10;
const HEADER = 132;
let dir: string;
let blobs: FileBlobStore;
let reads: number;
const options = () => ({ store: { blobs } }) as unknown as DicomwebOptions;
const instance = { storageKey: '1.2/1.2.3/1.2.3.4.dcm' } as InstanceRecord;
const index: FrameIndex = { kind: 'native', offset: HEADER, length: FRAME, count: FRAMES };
/** Frame n's bytes are all n (after a header of 0xEE). */
const expected = (n: number) => Buffer.alloc(FRAME, n);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-frames-'));
  await mkdir(path.join(dir, '1.2/1.2.3'), { recursive: true });
  await writeFile(path.join(dir, instance.storageKey), Buffer.concat([Buffer.alloc(HEADER, 0xee), ...Array.from({ length: FRAMES }, (_, i) => expected(i + 1))]));
  blobs = new FileBlobStore(dir);
  const read = blobs.read.bind(blobs);
  blobs.read = (...args) => {
    reads++;
    return read(...args);
  };
});

beforeEach(() => {
  reads = 0;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FrameSource', () => {
  it('decodes a compressed frame on each of its first two reads, then serves the decoded frame from memory, apart from the stored one', async () => {
    const source = new FrameSource(1024 * 1024);
    let decodes = 0;
    const decode = async (stored: Buffer) => {
      decodes++;
      return Buffer.from(stored.map((b) => b + 100));
    };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await source.decodedFrame(options(), instance, index, 3, decode));
    expect(decodes).toBe(2);
    expect(reads).toBe(2);
    expect(results.every((r) => r.equals(Buffer.alloc(FRAME, 103)))).toBe(true);
    expect(results[3]).toBe(results[1]);
    // The stored frame is a key of its own: still read from the file.
    const stored = await source.frame(options(), instance, index, 3);
    expect(stored.equals(expected(3))).toBe(true);
    expect(reads).toBe(3);
  });

  it('reads a frame from the file twice, then serves it from memory', async () => {
    const source = new FrameSource(1024 * 1024);
    const first = await source.frame(options(), instance, index, 2);
    expect(first.equals(expected(2))).toBe(true);
    source.release([first]);
    const second = await source.frame(options(), instance, index, 2);
    expect(reads).toBe(2);
    expect(source.bytes).toBe(FRAME);
    for (let i = 0; i < 3; i++) {
      const again = await source.frame(options(), instance, index, 2);
      expect(again).toBe(second);
      source.release([again]);
    }
    expect(reads).toBe(2);
  });

  it('never pools a kept frame: frames read once later land in other buffers', async () => {
    const source = new FrameSource(1024 * 1024);
    await source.frame(options(), instance, index, 3);
    const kept = await source.frame(options(), instance, index, 3);
    source.release([kept]);
    for (const n of [4, 5, 6]) {
      const once = await source.frame(options(), instance, index, n);
      expect(once).not.toBe(kept);
      expect(once.equals(expected(n))).toBe(true);
      source.release([once]);
    }
    expect(kept.equals(expected(3))).toBe(true);
    expect((await source.frame(options(), instance, index, 3)).equals(expected(3))).toBe(true);
  });

  it('lets the least recently used frame go when full; keeps no frame larger than an eighth of it, nothing with no memory', async () => {
    const source = new FrameSource(8 * FRAME);
    for (let n = 1; n <= 8; n++) for (let i = 0; i < 2; i++) await source.frame(options(), instance, index, n);
    await source.frame(options(), instance, index, 1); // 1 is now the most recently used
    for (let i = 0; i < 2; i++) await source.frame(options(), instance, index, 9); // 2 leaves
    expect(source.bytes).toBe(8 * FRAME);
    reads = 0;
    for (const n of [1, 3, 4, 5, 6, 7, 8, 9]) expect((await source.frame(options(), instance, index, n)).equals(expected(n))).toBe(true);
    expect(reads).toBe(0);
    expect((await source.frame(options(), instance, index, 2)).equals(expected(2))).toBe(true);
    expect(reads).toBe(1);

    for (const small of [new FrameSource(8 * FRAME - 1), new FrameSource(0)]) {
      for (let i = 0; i < 3; i++) expect((await small.frame(options(), instance, index, 10)).equals(expected(10))).toBe(true);
      expect(small.bytes).toBe(0);
    }
  });
});
