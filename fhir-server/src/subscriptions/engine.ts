import type { Resource, Subscription } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL, type Principal } from '../auth/principal.js';
import type { Logger } from '../http/logger.js';
import { jobQueueOf, type Job } from '../jobs/index.js';
import type { ResourceChange } from '../repository/changes.js';
import { dispatch, handle } from '../router/router.js';
import { RawJson, type Context, type FhirRequest } from '../router/types.js';
import { send, type Notification } from './delivery.js';
import { safeSpecOf, specOf, type SubscriptionSpec } from './model.js';
import type { NotificationEvent, NotificationType } from './notification.js';
import { advanceCursor, eventCount, findEvent, logDelivery, ownerOf, readCursor, recordEvent, type StoredEvent } from './store.js';
import { WebSocketHub } from './websocket-hub.js';
import { changesSince } from './catch-up.js';

export const DELIVER_JOB = 'subscription.deliver';
export const HANDSHAKE_JOB = 'subscription.handshake';
/** Retries of an event notification after the first attempt: back-off 1, 2, 4, 8, 16, 32 s (pg-boss adds jitter). */
const DELIVERY_RETRIES = 6;
/** A restart re-reads committed changes from this long before the cursor (transactions commit out of timestamp order). */
const CATCH_UP_SLACK_MS = 60_000;
const HEARTBEAT_TICK_MS = 1000;
/** Changes matched at once (each costs a search and a short transaction). */
const MATCH_CONCURRENCY = 4;

/**
 * Matches committed changes against the active subscriptions and delivers their notifications:
 *
 *  1. the change feed hands each committed change to `accept` (synchronously after COMMIT); the
 *     engine matches them one at a time, in commit order, by running each subscription's searches
 *     restricted to the changed resource (`_id`), as the subscription's owner;
 *  2. a match numbers the event (per subscription, once per resource version) and enqueues its
 *     delivery in the same transaction;
 *  3. the delivery job sends it over the channel, retried with back-off; after the last retry
 *     the Subscription goes to `error`.
 *
 * A crash between a commit and step 2 loses nothing that committed within a minute of the
 * cursor: at start the engine re-reads `resource_history` from the cursor (minus a minute) and
 * matches again; step 2 is idempotent per version.
 */
export class SubscriptionEngine {
  readonly hub = new WebSocketHub();
  private readonly specs = new Map<string, SubscriptionSpec>();
  /** Owners of the tracked subscriptions, read when a subscription is (re)tracked. */
  private readonly owners = new Map<string, Principal>();
  private readonly lastSent = new Map<string, number>();
  private pending: ResourceChange[] = [];
  private draining: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private serverUrl = 'http://localhost';
  private closed = false;

  constructor(
    private readonly ctx: Context,
    private readonly logger: Logger,
  ) {}

  /** The FHIR base in notifications: the configured public base, else this server's own address. */
  base(): string {
    return `${this.ctx.config.baseUrl ?? this.serverUrl}/fhir`;
  }

  setServerUrl(url: string): void {
    this.serverUrl = url;
  }

  async start(): Promise<void> {
    const jobs = jobQueueOf(this.ctx);
    await jobs.work<{ subscriptionId: string; eventNumber: number }>(DELIVER_JOB, (job) => this.deliver(job), { concurrency: 8 });
    await jobs.work<{ subscriptionId: string }>(HANDSHAKE_JOB, (job) => this.handshake(job));
    this.unsubscribe = this.ctx.repo.changes.subscribe((change) => this.accept(change));
    for (const sub of await this.storedSubscriptions()) await this.track(sub);
    const cursor = await readCursor(this.ctx.db);
    if (cursor === undefined) await advanceCursor(this.ctx.db, new Date().toISOString());
    else {
      const since = new Date(Date.parse(cursor) - CATCH_UP_SLACK_MS).toISOString();
      const types = [...new Set([...this.specs.values()].map((s) => s.resourceType))];
      for (const change of await changesSince(this.ctx.db, since, types)) this.accept(change);
    }
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_TICK_MS);
    this.heartbeat.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
    await this.draining;
    this.hub.closeAll();
  }

  accept(change: ResourceChange): void {
    if (this.closed) return;
    if (change.resourceType !== 'Subscription' && ![...this.specs.values()].some((s) => s.resourceType === change.resourceType)) return;
    this.pending.push(change);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** The subscription as the engine tracks it (active or requested), or undefined. */
  spec(id: string): SubscriptionSpec | undefined {
    return this.specs.get(id);
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      let last: string | undefined;
      // Subscription changes first and alone: the matching of the rest must see them.
      for (const change of batch.filter((c) => c.resourceType === 'Subscription')) await this.guarded(change);
      const rest = batch.filter((c) => c.resourceType !== 'Subscription');
      let next = 0;
      const lane = async () => {
        while (next < rest.length) await this.guarded(rest[next++] as ResourceChange);
      };
      await Promise.all(Array.from({ length: MATCH_CONCURRENCY }, lane));
      for (const change of batch) if (!last || change.lastUpdated > last) last = change.lastUpdated;
      if (last) await advanceCursor(this.ctx.db, last).catch(() => undefined);
    }
  }

  private async guarded(change: ResourceChange): Promise<void> {
    try {
      await this.process(change);
    } catch (error) {
      this.logger.log('error', 'subscription matching failed', { resource: `${change.resourceType}/${change.id}/_history/${change.versionId}`, error: String(error) });
    }
  }

  private async process(change: ResourceChange): Promise<void> {
    if (change.resourceType === 'Subscription') {
      // The current version, not the change's: a restart re-reads old versions too.
      const sub = await this.current(change.id);
      if (sub) await this.track(sub);
      else this.specs.delete(change.id);
      return;
    }
    if (change.action === 'delete') return;
    for (const spec of this.specs.values()) {
      if (spec.status !== 'active' || spec.resourceType !== change.resourceType || !spec.interactions.includes(change.action)) continue;
      if (spec.end && spec.end < change.lastUpdated) continue;
      if (!(await this.matches(spec, change))) continue;
      const event = { resourceType: change.resourceType, resourceId: change.id, versionId: change.versionId, occurred: change.lastUpdated };
      await this.ctx.db.transaction(async (tx) => {
        const n = await recordEvent(tx, spec.id, event);
        if (n !== null) {
          await jobQueueOf(this.ctx).enqueue(DELIVER_JOB, { subscriptionId: spec.id, eventNumber: n }, { tx, singletonKey: `${spec.id}#${n}`, retryLimit: DELIVERY_RETRIES, backoffSeconds: 1 });
        }
      });
    }
  }

  /** Whether the changed resource matches every search of the subscription, as its owner sees it. */
  private async matches(spec: SubscriptionSpec, change: ResourceChange): Promise<boolean> {
    const owner = this.owners.get(spec.id) ?? (await ownerOf(this.ctx.db, spec.id));
    for (const search of spec.searches.length ? spec.searches : [[]]) {
      const reply = await dispatch(this.ctx, this.ctx.db, this.request(owner, change.resourceType, [...search.filter(([k]) => !k.startsWith('_count')), ['_id', change.id], ['_count', '1']]));
      const entries = ((reply.body as { entry?: { search?: { mode?: string } }[] } | undefined)?.entry ?? []).filter((e) => e.search?.mode !== 'outcome');
      if (entries.length === 0) return false;
    }
    return true;
  }

  private request(principal: Principal, path: string, query: [string, string][] = []): FhirRequest {
    return { method: 'GET', path, query, prefer: {}, baseUrl: this.base(), principal };
  }

  private async track(sub: Subscription): Promise<void> {
    let spec: SubscriptionSpec;
    try {
      spec = specOf(sub);
    } catch {
      this.specs.delete(sub.id as string);
      return;
    }
    if (spec.status !== 'active' && spec.status !== 'requested') {
      this.specs.delete(spec.id);
      this.owners.delete(spec.id);
      return;
    }
    this.owners.set(spec.id, await ownerOf(this.ctx.db, spec.id));
    this.specs.set(spec.id, spec);
    if (spec.status === 'requested' && spec.channel.type === 'rest-hook') {
      await jobQueueOf(this.ctx).enqueue(HANDSHAKE_JOB, { subscriptionId: spec.id }, { singletonKey: `${spec.id}@${sub.meta?.versionId ?? ''}`, retryLimit: 2, backoffSeconds: 1 });
    }
  }

  private async storedSubscriptions(): Promise<Subscription[]> {
    const reply = await dispatch(this.ctx, this.ctx.db, this.request(SYSTEM_PRINCIPAL, 'Subscription', [['status', 'active,requested'], ['_count', '1000']]));
    const entries = (reply.body as { entry?: { resource?: Resource | RawJson }[] } | undefined)?.entry ?? [];
    return entries.map((e) => (e.resource instanceof RawJson ? (JSON.parse(e.resource.text) as Subscription) : (e.resource as Subscription))).filter((r) => r?.resourceType === 'Subscription');
  }

  private async current(id: string): Promise<Subscription | undefined> {
    try {
      return JSON.parse((await this.ctx.repo.read(this.ctx.db, 'Subscription', id)).json as string) as Subscription;
    } catch {
      return undefined;
    }
  }

  /** Reads the event's version as the owner may see it (masked), for full-resource payloads. */
  private async focus(owner: Principal, event: StoredEvent): Promise<Resource | undefined> {
    try {
      const reply = await dispatch(this.ctx, this.ctx.db, this.request(owner, `${event.resourceType}/${event.resourceId}/_history/${event.versionId}`));
      return reply.body instanceof RawJson ? (JSON.parse(reply.body.text) as Resource) : (reply.body as Resource | undefined);
    } catch {
      return undefined;
    }
  }

  async notificationEvents(spec: SubscriptionSpec, events: StoredEvent[], content = spec.channel.payload): Promise<NotificationEvent[]> {
    if (content !== 'full-resource') return events.map((event) => ({ event }));
    const owner = this.owners.get(spec.id) ?? (await ownerOf(this.ctx.db, spec.id));
    return Promise.all(events.map(async (event) => ({ event, ...((r) => (r ? { resource: r } : {}))(await this.focus(owner, event)) })));
  }

  private async deliver(job: Job<{ subscriptionId: string; eventNumber: number }>): Promise<void> {
    const { subscriptionId, eventNumber } = job.payload;
    // The tracked spec follows every committed change of the Subscription; one not tracked is read to be sure.
    const spec = this.specs.get(subscriptionId) ?? safeSpecOf(await this.current(subscriptionId));
    if (!spec || spec.status !== 'active') return;
    const [event, count] = await Promise.all([findEvent(this.ctx.db, subscriptionId, eventNumber), eventCount(this.ctx.db, subscriptionId)]);
    if (!event) return;
    const notification: Notification = {
      spec,
      base: this.base(),
      type: 'event-notification',
      eventsSinceStart: count,
      events: await this.notificationEvents(spec, [event]),
    };
    const outcome = await send(notification, this.hub, this.logger);
    await logDelivery(this.ctx.db, { subscriptionId, kind: 'event-notification', eventNumber, channel: spec.channel.type, attempt: job.attempt + 1, ...outcome });
    if (outcome.ok) {
      this.lastSent.set(subscriptionId, Date.now());
      return;
    }
    if (job.final) await this.setStatus(subscriptionId, 'error', `${outcome.error ?? 'failed'} (event ${eventNumber}, ${job.attempt + 1} attempts)`);
    throw new Error(outcome.error ?? 'delivery failed');
  }

  private async handshake(job: Job<{ subscriptionId: string }>): Promise<void> {
    const sub = await this.current(job.payload.subscriptionId);
    const spec = sub ? safeSpecOf(sub) : undefined;
    if (!spec || spec.status !== 'requested' || spec.channel.type !== 'rest-hook') return;
    const outcome = await this.notify(spec, 'handshake', job.attempt + 1);
    if (outcome.ok) {
      await this.setStatus(spec.id, 'active');
      return;
    }
    if (job.final) await this.setStatus(spec.id, 'error', `handshake: ${outcome.error ?? 'failed'}`);
    throw new Error(outcome.error ?? 'handshake failed');
  }

  /** Sends a handshake or heartbeat (no events) and logs it. */
  async notify(spec: SubscriptionSpec, type: NotificationType, attempt = 1) {
    const outcome = await send({ spec, base: this.base(), type, eventsSinceStart: await eventCount(this.ctx.db, spec.id), events: [] }, this.hub, this.logger);
    await logDelivery(this.ctx.db, { subscriptionId: spec.id, kind: type as 'handshake' | 'heartbeat', channel: spec.channel.type, attempt, ...outcome });
    if (outcome.ok) this.lastSent.set(spec.id, Date.now());
    return outcome;
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    for (const spec of this.specs.values()) {
      if (spec.status !== 'active' || !spec.heartbeatSeconds) continue;
      const last = this.lastSent.get(spec.id);
      if (last === undefined) {
        this.lastSent.set(spec.id, now);
        continue;
      }
      if (now - last < spec.heartbeatSeconds * 1000) continue;
      this.lastSent.set(spec.id, now);
      await this.notify(spec, 'heartbeat').catch(() => undefined);
    }
  }

  /** The server changes a Subscription's status as itself (write rules let the system through). */
  private async setStatus(id: string, status: 'active' | 'error', error?: string): Promise<void> {
    const sub = await this.current(id);
    if (!sub) return;
    const next: Subscription = { ...sub, status };
    if (error) next.error = error;
    else delete next.error;
    await handle(this.ctx, {
      method: 'PUT',
      path: `Subscription/${id}`,
      query: [],
      body: next,
      ifMatch: `W/"${sub.meta?.versionId ?? ''}"`,
      prefer: { return: 'minimal' },
      baseUrl: this.base(),
      principal: SYSTEM_PRINCIPAL,
    }).catch((e: unknown) => this.logger.log('warn', 'subscription status not changed', { id, status, error: String(e) }));
  }
}

const engines = new WeakMap<object, SubscriptionEngine>();

export function registerEngine(ctx: Context, engine: SubscriptionEngine): void {
  engines.set(ctx.db, engine);
}

/** The running engine of this server (the operations ask it about websocket tokens and specs). */
export function engineOf(ctx: Context): SubscriptionEngine | undefined {
  return engines.get(ctx.db);
}
