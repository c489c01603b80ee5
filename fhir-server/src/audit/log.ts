import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { createLogger, type Logger } from '../http/logger.js';
import type { Queryable } from '../repository/db.js';
import type { Context } from '../router/types.js';
import { appendToChain } from './chain.js';
import { scheduleRetention } from './retention.js';

/** Reads are written in batches: at most this many events, or after this many milliseconds. */
const BATCH_SIZE = 200;
const BATCH_DELAY_MS = 100;

/**
 * The audit trail of one database. Events of a change are written in the change's own
 * transaction (`writeIn`); events of reads and of refused requests are queued and written in
 * batches shortly after, one transaction per batch, so a read costs no extra round trip on its
 * own path. The queue is flushed on close, so a normal shutdown loses nothing.
 */
export class AuditLog {
  private pending: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private failures = 0;
  /** Stops the daily retention purge (set by `openAuditLog`). */
  stopRetention: () => void = () => undefined;

  constructor(
    private readonly ctx: Context,
    private readonly onError: (error: unknown) => void,
  ) {}

  get enabled(): boolean {
    return this.ctx.config.audit !== 'off';
  }

  /** Stores the events and links them into the chain, in the caller's transaction. */
  async writeIn(q: Queryable, events: readonly AuditEvent[]): Promise<void> {
    if (!this.enabled || events.length === 0) return;
    const stored = await this.ctx.repo.createMany(q, events.map((e) => structuredClone(e) as Resource));
    await appendToChain(q, stored);
  }

  /** Stores the events now, in a transaction of their own. */
  async write(events: readonly AuditEvent[]): Promise<void> {
    if (!this.enabled || events.length === 0) return;
    await this.ctx.db.transaction((q) => this.writeIn(q, events));
  }

  /** Queues an event of a read or of a refused request; written within BATCH_DELAY_MS. */
  enqueue(event: AuditEvent): void {
    if (!this.enabled) return;
    this.pending.push(event);
    if (this.closed || this.pending.length >= BATCH_SIZE) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), BATCH_DELAY_MS);
  }

  /** Writes everything queued so far; resolves once it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  async close(): Promise<void> {
    this.stopRetention();
    this.closed = true;
    await this.flush();
  }

  private async writePending(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, BATCH_SIZE);
      try {
        await this.write(batch);
        this.failures = 0;
      } catch (error) {
        // Kept for the next flush (a database restart must not lose the trail); reported once per outage.
        this.pending.unshift(...batch);
        if (this.failures++ === 0) this.onError(error);
        if (!this.closed) this.timer ??= setTimeout(() => void this.flush(), 1000);
        return;
      }
    }
  }
}

const logs = new WeakMap<Context['db'], AuditLog>();

/**
 * Opens the audit log of the server's database and starts its retention purge; write failures
 * and purges go to the server's log.
 */
export function openAuditLog(ctx: Context, logger: Logger): AuditLog {
  const log = new AuditLog(ctx, (error) => logger.log('error', 'audit write failed; events kept for retry', { error: String(error) }));
  logs.set(ctx.db, log);
  log.stopRetention = scheduleRetention(ctx.db, ctx.config.auditRetentionDays, (result) => {
    if (result instanceof Error) logger.log('error', 'audit retention purge failed', { error: result.message });
    else if (result.purged) logger.log('info', 'audit records purged after the retention period', { purged: result.purged, days: ctx.config.auditRetentionDays, anchorSeq: result.anchorSeq });
  });
  return log;
}

/** The audit log of the context's database (one per database, shared by every edge and request). */
export function auditLog(ctx: Context): AuditLog {
  let log = logs.get(ctx.db);
  if (!log) {
    // Work outside a running server (a command, a test on a bare Context): no purge schedule.
    const logger = createLogger('error');
    log = new AuditLog(ctx, (error) => logger.log('error', 'audit write failed; events kept for retry', { error: String(error) }));
    logs.set(ctx.db, log);
  }
  return log;
}
