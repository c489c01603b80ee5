import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { createLogger, type Logger } from '../http/logger.js';
import type { Queryable } from '../repository/db.js';
import { timeOrderedId } from '../repository/time-ordered-id.js';
import type { Context } from '../router/types.js';
import { linkPending, markForLinking } from './chain.js';
import { auditEvent, type AuditFacts, type RequestOrigin } from './event.js';
import { HeldAccess, repeatKey } from './repeats.js';
import { scheduleRetention } from './retention.js';

/** Reads are written in batches: at most this many events, or after this many milliseconds. */
const BATCH_SIZE = 200;
const BATCH_DELAY_MS = 100;
/** Repeats of an image access within this long of the first share its record (a viewer scrolling a series). */
const REPEAT_WINDOW_MS = 2_000;
/** The linker looks for committed records this often (a record is linked within about this long). */
const LINK_INTERVAL_MS = 250;

/** An image access held open for its repeats, and the caller's own key for it, if any. */
interface HeldEntry {
  held: HeldAccess;
  timer: NodeJS.Timeout;
  shortcut?: string;
}

/**
 * The audit trail of one database. Events of a change are written in the change's own
 * transaction (`writeIn`); events of reads and of refused requests are queued and written in
 * batches shortly after, one transaction per batch, so a read costs no extra round trip on its
 * own path. Writing takes no shared lock: the running server's linker (`startLinker`) chains the
 * committed records moments later. The queue is flushed and every committed record linked on
 * close, so a normal shutdown loses nothing and leaves nothing unlinked.
 */
export class AuditLog {
  private pending: AuditEvent[] = [];
  /** Image accesses held for REPEAT_WINDOW_MS so that repeats fold into them (by `repeatKey`), then queued. */
  private readonly repeats = new Map<string, HeldEntry>();
  /** The same held accesses by a caller's own key for them (`foldRepeat`). */
  private readonly shortcuts = new Map<string, HeldEntry>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private failures = 0;
  private linker: NodeJS.Timeout | undefined;
  private linkFailures = 0;
  /** Stops the daily retention purge (set by `openAuditLog`). */
  stopRetention: () => void = () => undefined;

  constructor(
    private readonly ctx: Context,
    private readonly onError: (error: unknown) => void,
  ) {}

  get enabled(): boolean {
    return this.ctx.config.audit !== 'off';
  }

  /** Stores the events, marked for linking, in the caller's transaction. */
  async writeIn(q: Queryable, events: readonly AuditEvent[]): Promise<void> {
    if (!this.enabled || events.length === 0) return;
    // A shallow copy: the repository sets the copy's id and meta and changes nothing inside it, so
    // an event kept for a retry after a failed batch is as it was queued.
    const stored = await this.ctx.repo.createMany(
      q,
      events.map((e) => ({ ...e, id: e.id ?? timeOrderedId() }) as Resource),
    );
    await markForLinking(
      q,
      stored.map((s, k) => ({ id: s.id, recorded: events[k]?.recorded ?? s.lastUpdated })),
    );
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
    if (this.closed || this.pending.length >= BATCH_SIZE) void this.writeQueued();
    else this.timer ??= setTimeout(() => void this.writeQueued(), BATCH_DELAY_MS);
  }

  /**
   * Queues the record of these facts. A `repeatable` one (an image access) waits REPEAT_WINDOW_MS
   * first, and the same access repeated meanwhile (`repeatKey`) folds into it instead of making a
   * record of its own. A caller that can tell a repeat from its request alone names it by
   * `shortcut`; its later repeats then fold in by `foldRepeat`, before any facts are gathered.
   */
  enqueueFacts(facts: AuditFacts, options: { repeatable?: boolean; shortcut?: string } = {}): void {
    if (!this.enabled) return;
    if (!options.repeatable || this.closed) return this.enqueue(auditEvent(facts));
    const key = repeatKey(facts);
    let entry = this.repeats.get(key);
    if (entry) {
      entry.held.repeat(facts.origin, facts.recorded?.getTime());
    } else {
      const timer = setTimeout(() => this.release(key), REPEAT_WINDOW_MS);
      timer.unref();
      entry = { held: new HeldAccess(facts), timer };
      this.repeats.set(key, entry);
    }
    if (options.shortcut && !entry.shortcut && !this.shortcuts.has(options.shortcut)) {
      entry.shortcut = options.shortcut;
      this.shortcuts.set(options.shortcut, entry);
    }
  }

  /** Folds a repeat into the held access its caller named `shortcut`; false when none is held (then enqueue its facts). */
  foldRepeat(shortcut: string, origin: RequestOrigin | undefined): boolean {
    if (!this.enabled || this.closed) return false;
    const entry = this.shortcuts.get(shortcut);
    if (!entry) return false;
    entry.held.repeat(origin);
    return true;
  }

  private release(key: string): void {
    const entry = this.repeats.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.repeats.delete(key);
    if (entry.shortcut) this.shortcuts.delete(entry.shortcut);
    this.enqueue(entry.held.record());
  }

  /** Writes everything queued so far and links every committed record; resolves once both are done. */
  async flush(): Promise<void> {
    for (const key of [...this.repeats.keys()]) this.release(key);
    await this.writeQueued();
    if (this.enabled) await linkPending(this.ctx.db, { wait: true });
  }

  private writeQueued(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  /**
   * The background linker of a running server: every LINK_INTERVAL_MS it links what has been
   * committed. Another process linking the same database holds the lock; then this one skips.
   */
  startLinker(onError: (error: unknown) => void): void {
    if (!this.enabled || this.linker) return;
    const tick = () => {
      this.linker = setTimeout(() => {
        linkPending(this.ctx.db).then(
          () => {
            this.linkFailures = 0;
            if (this.linker) tick();
          },
          (error: unknown) => {
            if (this.linkFailures++ === 0) onError(error);
            if (this.linker) tick();
          },
        );
      }, LINK_INTERVAL_MS);
      this.linker.unref();
    };
    tick();
  }

  async close(): Promise<void> {
    this.stopRetention();
    if (this.linker) clearTimeout(this.linker);
    this.linker = undefined;
    this.closed = true;
    for (const key of [...this.repeats.keys()]) this.release(key);
    await this.writeQueued();
    // What stays unlinked (the database went away) is linked by the next start's linker.
    if (this.enabled) await linkPending(this.ctx.db, { wait: true }).catch((error: unknown) => this.onError(error));
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
        if (!this.closed) this.timer ??= setTimeout(() => void this.writeQueued(), 1000);
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
  log.startLinker((error) => logger.log('error', 'audit linking failed; retrying', { error: String(error) }));
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
