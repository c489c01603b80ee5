import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { FhirError } from '../errors/fhir-error.js';
import type { Logger } from '../http/logger.js';
import { pseudonymKey } from '../mpi/pseudonym.js';
import type { Context } from '../router/types.js';
import { exportLine, exportMasking } from './access.js';
import { fileName, jobDir, removeJobFiles } from './files.js';
import { jobs, STALE_AFTER_SECONDS } from './jobs.js';
import { exportPage } from './select.js';
import type { ExportSpec, OutputFile } from './spec.js';

/** Jobs one process runs at once; later ones wait their turn (reported as queued). */
const CONCURRENT_JOBS = 2;
const HEARTBEAT_MS = (STALE_AFTER_SECONDS * 1000) / 4;
/** Finished jobs and their files are kept this long, then removed: exports hold personal data. */
export const RETENTION_HOURS = 24;
const SWEEP_MS = 60 * 60 * 1000;

/** Raised inside a job when it was cancelled (DELETE) or the server is stopping. */
class Stopped extends Error {}

interface Entry {
  id: string;
  spec: ExportSpec;
  abort: AbortController;
  /** Settles when the job has stopped, whichever way. */
  done: Promise<void>;
  resolve: () => void;
}

/**
 * Runs export jobs in this process: each type of a job is read in keyset pages and appended to
 * its NDJSON file with backpressure, so memory holds one page whatever the export's size. Job
 * state lives in the database; this object only knows which jobs it is running.
 */
export class ExportRunner {
  /** Jobs waiting for a slot, in kick-off order. */
  private readonly queue: Entry[] = [];
  private readonly active = new Map<string, Entry>();
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;

  constructor(
    private readonly ctx: Context,
    private readonly logger: Logger,
  ) {}

  /** Sweeps once, then renews this process's jobs and sweeps again periodically. */
  async start(): Promise<void> {
    await this.sweep();
    const every = (ms: number, what: string, work: () => Promise<unknown>) => {
      const timer = setInterval(() => void work().catch((error: unknown) => this.logger.log('error', what, { error: String(error) })), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(HEARTBEAT_MS, 'export heartbeat failed', () => jobs.heartbeat(this.ctx.db, [...this.active.keys(), ...this.queue.map((e) => e.id)]));
    every(SWEEP_MS, 'export sweep failed', () => this.sweep());
  }

  /** Fails the jobs of processes that are gone, and removes jobs finished more than RETENTION_HOURS ago. */
  async sweep(): Promise<void> {
    const stale = await jobs.failStale(this.ctx.db);
    if (stale.length) this.logger.log('warn', 'export jobs of a stopped process marked failed', { jobs: stale });
    const expired = await jobs.removeFinished(this.ctx.db, RETENTION_HOURS);
    for (const id of [...stale, ...expired]) await removeJobFiles(this.ctx.config.dataDir, id);
  }

  /** Queues a job inserted by the kick-off. */
  enqueue(id: string, spec: ExportSpec): void {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const entry: Entry = { id, spec, abort: new AbortController(), done, resolve };
    this.queue.push(entry);
    this.pump();
  }

  /** Stops the job if this process runs it and waits until it has; the caller removes row and files. */
  async cancel(id: string): Promise<void> {
    const queued = this.queue.findIndex((e) => e.id === id);
    if (queued >= 0) this.queue.splice(queued, 1)[0]?.resolve();
    const entry = this.active.get(id);
    if (!entry) return;
    entry.abort.abort();
    await entry.done;
  }

  /** At shutdown: every job of this process stops and is marked failed (interrupted), honestly. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    const entries = [...this.active.values(), ...this.queue.splice(0)];
    for (const entry of entries) {
      entry.abort.abort();
      if (!this.active.has(entry.id)) entry.resolve();
    }
    await Promise.all(entries.map((e) => e.done));
    for (const entry of entries) {
      await jobs.fail(this.ctx.db, entry.id, { messageId: 'export.interrupted', params: { job: entry.id } });
      await removeJobFiles(this.ctx.config.dataDir, entry.id);
    }
  }

  private pump(): void {
    while (!this.stopping && this.active.size < CONCURRENT_JOBS && this.queue.length > 0) {
      const entry = this.queue.shift() as Entry;
      this.active.set(entry.id, entry);
      this.run(entry)
        .catch((error: unknown) => this.failed(entry, error))
        .catch((error: unknown) => this.logger.log('error', 'export job could not be recorded as failed', { job: entry.id, error: String(error) }))
        .finally(() => {
          this.active.delete(entry.id);
          entry.resolve();
          this.pump();
        });
    }
  }

  private async failed(entry: Entry, error: unknown): Promise<void> {
    // Cancelled here or by another instance (the row is gone), or stopping: no failure to record.
    if (error instanceof Stopped) return removeJobFiles(this.ctx.config.dataDir, entry.id);
    // A refusal the client can act on (a search parameter removed since kick-off) is reported as
    // such; anything else only as "failed", its details in the log rather than in the reply.
    const issue = error instanceof FhirError ? error.issues[0] : undefined;
    if (!issue) this.logger.log('error', 'export job failed', { job: entry.id, error: String((error as Error)?.stack ?? error) });
    await jobs.fail(this.ctx.db, entry.id, issue ? { messageId: issue.messageId, params: issue.params ?? {} } : { messageId: 'export.failed', params: { job: entry.id } });
    await removeJobFiles(this.ctx.config.dataDir, entry.id);
  }

  private async run(entry: Entry): Promise<void> {
    const { id, spec } = entry;
    const dir = jobDir(this.ctx.config.dataDir, id);
    await mkdir(dir, { recursive: true });
    const output: OutputFile[] = [];
    let total = 0;
    for (const [index, type] of spec.types.entries()) {
      const count = await this.writeType(entry, type, path.join(dir, fileName(type)), (written) =>
        this.report(entry, `${type} (${index + 1}/${spec.types.length} types), ${total + written} resources`),
      );
      total += count;
      if (count > 0) output.push({ type, file: fileName(type), count });
    }
    if (!(await jobs.complete(this.ctx.db, id, output))) throw new Stopped();
    this.logger.log('info', 'export job completed', { job: id, resources: total, files: output.length });
  }

  private async report(entry: Entry, progress: string): Promise<void> {
    if (entry.abort.signal.aborted || !(await jobs.progress(this.ctx.db, entry.id, progress))) {
      entry.abort.abort();
      throw new Stopped();
    }
  }

  /**
   * Streams one type into its file, page by page through a pipeline (backpressure, and a write
   * error fails the job instead of the process). The file is created only for a type with
   * resources: most of a system export's types are empty.
   */
  private async writeType(entry: Entry, type: string, file: string, progress: (written: number) => Promise<void>): Promise<number> {
    await progress(0);
    const db = this.ctx.db;
    const first = await exportPage(db, entry.spec, type, undefined);
    if (first.length === 0) return 0;
    let written = 0;
    const masking = exportMasking(entry.spec);
    const key = masking?.pseudonym ? await pseudonymKey(db, this.ctx.config.pseudonymKey) : undefined;
    async function* pages(): AsyncGenerator<string> {
      for (let rows = first; rows.length > 0; ) {
        yield rows.map((row) => `${masking ? exportLine(entry.spec, row.content, key) : row.content}\n`).join('');
        written += rows.length;
        await progress(written);
        rows = await exportPage(db, entry.spec, type, rows[rows.length - 1]?.id);
      }
    }
    await pipeline(pages, createWriteStream(file));
    return written;
  }
}

const runners = new WeakMap<Context, ExportRunner>();

/** The runner of a server, created by the bulk export edge at start. */
export function exportRunner(ctx: Context, logger?: Logger): ExportRunner {
  let runner = runners.get(ctx);
  if (!runner) {
    if (!logger) throw new Error('the bulk export edge has not been created for this server');
    runner = new ExportRunner(ctx, logger);
    runners.set(ctx, runner);
  }
  return runner;
}
