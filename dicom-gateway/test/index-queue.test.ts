/**
 * Index rows written behind the acknowledgement: what is waiting when a statement can be sent goes
 * in one batch, in arrival order, and a batch that fails is tried again one instance at a time so
 * that one bad row does not hold back the others.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IndexJournal, IndexQueue, type QueuedInstance } from '../src/store/index-behind.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-index-queue-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const item = (n: number): QueuedInstance => ({ sop: `2.25.${n}`, sha256: `sha${n}`, storageKey: `study/series/2.25.${n}.dcm` });

function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('IndexQueue', () => {
  it('writes what is waiting in one batch, and what arrives during a write in the next', async () => {
    const batches: string[][] = [];
    const first = gate();
    const queue = new IndexQueue<QueuedInstance>(new IndexJournal(path.join(dir, 'batches')), undefined, async (batch) => {
      batches.push(batch.map((i) => i.sop));
      if (batches.length === 1) await first.wait;
    });
    for (const n of [1, 2, 3]) queue.add(item(n));
    await new Promise((resolve) => setImmediate(resolve));
    // The first batch is being written: these wait for it, and are still found meanwhile.
    for (const n of [4, 5, 6, 7]) queue.add(item(n));
    expect(queue.get('2.25.2')?.sha256).toBe('sha2');
    expect(queue.get('2.25.6')?.sha256).toBe('sha6');
    first.open();
    await queue.settled();
    expect(batches).toEqual([
      ['2.25.1', '2.25.2', '2.25.3'],
      ['2.25.4', '2.25.5', '2.25.6', '2.25.7'],
    ]);
    expect(queue.get('2.25.2')).toBeUndefined();
    expect(await readFile(path.join(dir, 'batches'), 'utf8')).toBe('');
  });

  it('writes at most 64 rows per statement', async () => {
    const sizes: number[] = [];
    const queue = new IndexQueue<QueuedInstance>(new IndexJournal(path.join(dir, 'sizes')), undefined, async (batch) => {
      sizes.push(batch.length);
    });
    for (let n = 0; n < 150; n++) queue.add(item(n));
    await queue.settled();
    expect(sizes).toEqual([64, 64, 22]);
  });

  it('tries a failed batch one instance at a time, and leaves only the failing one for the next start', async () => {
    const written: string[] = [];
    const journal = path.join(dir, 'failing');
    const queue = new IndexQueue<QueuedInstance>(new IndexJournal(journal), undefined, async (batch) => {
      if (batch.some((i) => i.sop === '2.25.12')) throw new Error('row refused');
      written.push(...batch.map((i) => i.sop));
    });
    for (const n of [11, 12, 13]) queue.add(item(n));
    // Closing stops the retries of the failing row after its first attempt alone.
    await new Promise((resolve) => setImmediate(resolve));
    await queue.close();
    expect(written).toEqual(['2.25.11', '2.25.13']);
    expect(await readFile(journal, 'utf8')).toBe('study/series/2.25.12.dcm\n');
  });
});
