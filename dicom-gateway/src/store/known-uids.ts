import type { SqlQueryable } from '../ports.js';

const PAGE = 50_000;
/** Bits per expected instance: with four probes that keeps false positives near 0.2 %. */
const BITS_PER_ITEM = 16;
const MIN_BITS = 1 << 24;
const PROBES = 4;

/**
 * What the store already holds, in memory, so that a new instance can be told apart from a repeat
 * without asking the database: a Bloom filter of SOP Instance UIDs (a "no" is certain, a "maybe"
 * sends the instance down the slow path that asks) and the exact study of every series (a series
 * in two studies is refused). Filled from the index at start, in the background; until then every
 * instance takes the slow path. Instances are never deleted, so nothing has to leave the filter.
 */
export class KnownUids {
  private bits = new Uint32Array(MIN_BITS / 32);
  private count = 0;
  private readonly seriesStudy = new Map<string, string>();
  private state: 'loading' | 'ready' | 'failed' = 'loading';
  /** Stored while the filter is being sized and filled: added once it is. */
  private addedWhileLoading: string[] = [];

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Reads every series and SOP Instance UID of the index; what is added meanwhile is kept too. */
  async load(sql: SqlQueryable): Promise<void> {
    try {
      const [row] = await sql.query<{ n: string | number }>('SELECT count(*) AS n FROM dicom_instance');
      const expected = Number(row?.n ?? 0);
      let size = MIN_BITS;
      while (size < expected * 2 * BITS_PER_ITEM) size *= 2;
      if (size > this.bits.length * 32) this.bits = new Uint32Array(size / 32);
      for (const s of await sql.query<{ series_uid: string; study_uid: string }>('SELECT series_uid, study_uid FROM dicom_series')) {
        this.seriesStudy.set(s.series_uid, s.study_uid);
      }
      let after = '';
      for (;;) {
        const page = await sql.query<{ uid: string }>('SELECT sop_instance_uid AS uid FROM dicom_instance WHERE sop_instance_uid > $1 ORDER BY sop_instance_uid LIMIT $2', [after, PAGE]);
        for (const p of page) this.addSop(p.uid);
        if (page.length < PAGE) break;
        after = (page[page.length - 1] as { uid: string }).uid;
      }
      for (const sop of this.addedWhileLoading) this.addSop(sop);
      this.addedWhileLoading = [];
      this.state = 'ready';
    } catch (error) {
      this.state = 'failed';
      throw error;
    }
  }

  /** The study a series belongs to, if known. */
  studyOf(series: string): string | undefined {
    return this.seriesStudy.get(series);
  }

  /** False only when the SOP Instance UID is certainly not stored. */
  maybeHas(sop: string): boolean {
    const [h1, h2] = hashes(sop);
    const size = this.bits.length * 32;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % size;
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  add(sop: string, series: string, study: string): void {
    if (this.state === 'loading') this.addedWhileLoading.push(sop);
    else this.addSop(sop);
    this.seriesStudy.set(series, study);
  }

  private addSop(sop: string): void {
    const [h1, h2] = hashes(sop);
    const size = this.bits.length * 32;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % size;
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
    // Past its design load the filter answers "maybe" too often: every instance would ask the database.
    if (++this.count * BITS_PER_ITEM > size && this.state === 'ready') this.state = 'failed';
  }
}

/** Two independent 32-bit FNV-1a hashes (different offset bases) for double hashing. */
function hashes(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
    b = (b ^ (b >>> 15)) >>> 0;
  }
  return [a, (b | 1) >>> 0];
}
