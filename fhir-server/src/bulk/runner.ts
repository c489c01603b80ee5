import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import type { Logger } from '../http/logger.js';
import type { Context } from '../router/types.js';
import { fileName, jobDir, removeJobFiles } from './files.js';
import { jobs, STALE_AFTER_SECONDS } from './jobs.js';
import { exportPage } from './select.js';
import type { ExportSpec, OutputFile } from './spec.js';

/** Jobs one process runs at once; later ones wait their turn (reported as queued). */
const CONCURRENT_JOBS = 2;
const HEARTBEAT_MS = (STALE_AFTER_SECONDS * 1000) / 4;

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
  private readonly queue: Entry[] = [];
  private readonly active = new Map<string, Entry>();
  private readonly waiting = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly ctx: Context,
    private readonly logger: Logger,
  ) {}

  /** Fails the jobs of processes that are gone, and renews this process's jobs from now on. */
  async start(): Promise<void> {
    const stale = await jobs.failStale(this.ctx.db);
    for (const id of stale) await removeJobFiles(this.ctx.config.dataDir, id);
    if (stale.length) this.logger.log('warn', 'export jobs interrupted by a restart marked failed', { jobs: stale });
    this.timer = setInterval(() => {
      jobs.heartbeat(this.ctx.db, [...this.active.keys(), ...this.waiting.keys()]).catch((error: unknown) => this.logger.log('error', 'export heartbeat failed', { error: String(error) }));
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Queues a job inserted by the kick-off. */
  enqueue(id: string, spec: ExportSpec): void {
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const entry: Entry = { id, spec, abort: new AbortController(), done, resolve };
    this.queue.push(entry);
    this.waiting.set(id, entry);
    this.pump();
  }

  /** Stops the job if this process runs it and waits until it has; the caller removes row and files. */
  async cancel(id: string): Promise<void> {
    const entry = this.active.get(id) ?? this.waiting.get(id);
    if (!entry) return;
    entry.abort.abort();
    if (this.waiting.delete(id)) {
      this.queue.splice(this.queue.indexOf(entry), 1);
      entry.resolve();
    }
    await entry.done;
  }

  /** At shutdown: every job of this process stops and is marked failed (interrupted), honestly. */
  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    const entries = [...this.active.values(), ...this.waiting.values()];
    for (const entry of entries) entry.abort.abort();
    this.queue.length = 0;
    for (const entry of this.waiting.values()) entry.resolve();
    this.waiting.clear();
    await Promise.all(entries.map((e) => e.done));
    for (const entry of entries) {
      await jobs.fail(this.ctx.db, entry.id, { messageId: 'export.interrupted', params: { job: entry.id } });
      await removeJobFiles(this.ctx.config.dataDir, entry.id);
    }
  }

  private pump(): void {
    while (!this.stopping && this.active.size < CONCURRENT_JOBS && this.queue.length > 0) {
      const entry = this.queue.shift() as Entry;
      this.waiting.delete(entry.id);
      this.active.set(entry.id, entry);
      this.run(entry)
        .catch((error: unknown) => this.failed(entry, error))
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
    this.logger.log('error', 'export job failed', { job: entry.id, error: String((error as Error)?.stack ?? error) });
    await jobs.fail(this.ctx.db, entry.id, { messageId: 'export.failed', params: { job: entry.id, detail: (error as Error)?.message ?? String(error) } });
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

  /** Streams one type into its file; an empty type leaves no file. */
  private async writeType(entry: Entry, type: string, file: string, progress: (written: number) => Promise<void>): Promise<number> {
    await progress(0);
    const out = createWriteStream(file);
    let written = 0;
    try {
      let after: string | undefined;
      for (;;) {
        const rows = await exportPage(this.ctx.db, entry.spec, type, after);
        for (const row of rows) {
          if (!out.write(`${row.content}\n`)) await once(out, 'drain');
        }
        written += rows.length;
        const last = rows[rows.length - 1];
        if (!last) break;
        after = last.id;
        await progress(written);
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    if (written === 0) await rm(file, { force: true });
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
