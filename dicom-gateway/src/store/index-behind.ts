import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LogPort } from '../ports.js';

/** An instance whose file is in place and acknowledged, its index row not written yet. */
export interface QueuedInstance {
  sop: string;
  sha256: string;
  storageKey: string;
}

/** Writes the index rows of a batch (and what follows them) in one go; throws when the database cannot be reached. */
export type PersistBatch<T extends QueuedInstance> = (batch: readonly T[]) => Promise<void>;

/** A database outage is waited out this long per attempt; an instance that keeps failing is left to the next start. */
const RETRY_MS = 1_000;
const ATTEMPTS = 3;
/**
 * Rows written by one statement at most. A modality sends the next instance while the previous
 * rows are written, so the queue holds whatever arrived during one statement: one statement for
 * those instead of one each spares the database a round trip and three upserts (patient, series,
 * study) per instance.
 */
const BATCH = 64;

/**
 * The journal of instances acknowledged before their index rows were written: one storage key per
 * line, appended before the acknowledgement, emptied whenever every row is written. A restart reads
 * it and indexes again, from their files, the instances whose rows never made it. Like the files,
 * it is written to the page cache, not flushed: it survives the process, as the index statements
 * of a PostgreSQL with `synchronous_commit=off` survive PostgreSQL.
 */
export class IndexJournal {
  private fd: number | undefined;

  constructor(private readonly file: string) {}

  /** The keys a previous process acknowledged and may not have indexed (a torn last line is dropped). */
  entries(): string[] {
    if (!existsSync(this.file)) return [];
    const text = readFileSync(this.file, 'utf8');
    const lines = text.split('\n');
    lines.pop();
    return [...new Set(lines.filter(Boolean))];
  }

  append(key: string): void {
    this.fd ??= openSync(this.file, 'a');
    writeSync(this.fd, `${key}\n`);
  }

  /** Empties the journal, keeping `keep` (instances still not indexed). */
  reset(keep: readonly string[] = []): void {
    this.fd ??= openSync(this.file, 'a');
    ftruncateSync(this.fd, 0);
    for (const key of keep) writeSync(this.fd, `${key}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Index rows written behind the acknowledgement, in arrival order, a batch of what is waiting at a
 * time, so a modality waiting for each C-STORE response does not also wait for a database round
 * trip. Reads call `settled` first and see every instance acknowledged before them.
 */
export class IndexQueue<T extends QueuedInstance> {
  private readonly pending = new Map<string, T>();
  private draining: Promise<void> | undefined;
  /** Keys that failed ATTEMPTS times: kept in the journal for the next start. */
  private readonly leftOver: string[] = [];
  private closed = false;

  constructor(
    private readonly journal: IndexJournal,
    private readonly log: LogPort | undefined,
    private readonly write: PersistBatch<T>,
  ) {}

  get(sop: string): T | undefined {
    return this.pending.get(sop);
  }

  add(item: T): void {
    this.journal.append(item.storageKey);
    this.pending.set(item.sop, item);
    // Begun on the next turn of the event loop: the acknowledgement goes out before the row's
    // statement is built and sent.
    this.draining ??= nextTurn()
      .then(() => this.drain())
      .finally(() => {
        this.draining = undefined;
      });
  }

  /** Resolves once everything queued so far is indexed (or after `maxMs`, so a read never hangs on an outage). */
  async settled(maxMs = 10_000): Promise<void> {
    if (!this.draining) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.draining, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)))]);
    clearTimeout(timer);
  }

  /** Stops retrying after what is queued now has had its chance; what is left stays in the journal. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled(30_000);
    this.journal.close();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const batch: T[] = [];
      for (const item of this.pending.values()) {
        batch.push(item);
        if (batch.length === BATCH) break;
      }
      if (batch.length === 0) break;
      // Still findable by `get` while being written: a repeat meanwhile is told apart in memory.
      await this.persist(batch);
      for (const item of batch) this.pending.delete(item.sop);
    }
    this.journal.reset(this.leftOver);
  }

  private async persist(batch: readonly T[]): Promise<void> {
    if (batch.length > 1) {
      try {
        await this.write(batch);
        return;
      } catch {
        // One instance's row may be what fails: each on its own, so the others are not held back.
        for (const item of batch) await this.persist([item]);
        return;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.write(batch);
        return;
      } catch (error) {
        if (attempt >= ATTEMPTS || this.closed) {
          const key = (batch[0] as T).storageKey;
          this.leftOver.push(key);
          this.log?.log('error', 'DICOM instance stored but not indexed; it is indexed again at the next start', { key, error: String((error as Error)?.message ?? error) });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
