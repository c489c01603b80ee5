import type { FrameIndex } from '../dicom/parse.js';
import type { InstanceRecord } from '../store/store.js';
import { BufferPool } from './buffer-pool.js';
import type { DicomwebOptions } from './context.js';
import { readFrame } from './instance-io.js';

/** Frames read once lately, remembered so that a second read keeps the frame; forgotten wholesale beyond this. */
const SEEN_KEYS = 16_384;
/** No single frame may take more than this share of the cache (one huge frame would flush everything else). */
const LARGEST_SHARE = 8;

/**
 * Where WADO-RS frames come from. A frame read a second time is kept in memory, up to `maxBytes`,
 * the least recently used leaving first: a radiologist scrolls a stack back and forth and loops
 * it, and colleagues and other hospitals reading the same study ask for the same frames. Keeping a
 * frame only on its second read means one pass through a large study does not churn the cache.
 * Frames read once go into pooled buffers, which return to the pool when their response has
 * closed; kept frames never enter the pool, so one still being sent when it leaves the cache is
 * left to the garbage collector. Stored instances never change, so a kept frame is never stale.
 */
export class FrameSource {
  private readonly pool = new BufferPool();
  private readonly kept = new Map<string, Buffer>();
  private readonly keptBuffers = new WeakSet<Buffer>();
  private readonly seen = new Set<string>();
  private keptBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Frame `n` (1-based) of the instance. */
  async frame(options: DicomwebOptions, instance: InstanceRecord, index: FrameIndex, n: number): Promise<Buffer> {
    const key = `${instance.storageKey}#${n}`;
    const hit = this.recent(key);
    if (hit) return hit;
    if (!this.readBefore(key)) return readFrame(options, instance, index, n, this.pool);
    const data = await readFrame(options, instance, index, n);
    this.keep(key, data);
    return data;
  }

  /**
   * Frame `n` decoded by `decode` (a compressed frame asked for uncompressed): kept on its second read
   * like a stored frame, so a viewer scrolling back over a compressed stack does not decode it again.
   */
  async decodedFrame(options: DicomwebOptions, instance: InstanceRecord, index: FrameIndex, n: number, decode: (stored: Buffer) => Promise<Buffer>): Promise<Buffer> {
    const key = `${instance.storageKey}#${n}:native`;
    const hit = this.recent(key);
    if (hit) return hit;
    const data = await decode(await readFrame(options, instance, index, n));
    if (this.readBefore(key)) this.keep(key, data);
    return data;
  }

  /** The frames of a closed response: pooled buffers go back, kept ones stay where they are. */
  release(buffers: readonly Buffer[]): void {
    this.pool.giveBack(buffers.filter((b) => !this.keptBuffers.has(b)));
  }

  /** Bytes held for re-reading (for tests and metrics). */
  get bytes(): number {
    return this.keptBytes;
  }

  /** A kept frame, moved to the most recently used end (eviction takes from the front). */
  private recent(key: string): Buffer | undefined {
    const hit = this.kept.get(key);
    if (hit) {
      this.kept.delete(key);
      this.kept.set(key, hit);
    }
    return hit;
  }

  private readBefore(key: string): boolean {
    if (this.maxBytes <= 0) return false;
    if (this.seen.delete(key)) return true;
    if (this.seen.size >= SEEN_KEYS) this.seen.clear();
    this.seen.add(key);
    return false;
  }

  private keep(key: string, data: Buffer): void {
    if (this.kept.has(key) || data.length > this.maxBytes / LARGEST_SHARE) return;
    for (const [oldKey, old] of this.kept) {
      if (this.keptBytes + data.length <= this.maxBytes) break;
      this.kept.delete(oldKey);
      this.keptBytes -= old.length;
    }
    this.kept.set(key, data);
    this.keptBuffers.add(data);
    this.keptBytes += data.length;
  }
}
