/**
 * The platform's persistent job queue: work that must happen later, again after a failure, or
 * after a restart — subscription deliveries, notifications to people, workflow timers (a referral
 * that must be accepted within a day, a critical value to escalate after 15 minutes).
 *
 *  - `enqueue(name, payload, options)` stores a job; it runs once a worker for `name` exists and
 *    `runAt` (default now) has come. `singletonKey` makes the enqueue idempotent: a second job
 *    with the same name and key is not stored while the first is kept (about a day after it
 *    finished). `tx` stores the job inside the caller's database transaction, so it exists if and
 *    only if that transaction commits.
 *  - `work(name, handler, {concurrency})` runs jobs of `name`. A handler that throws is retried
 *    up to `retryLimit` times, after `backoffSeconds · 2^attempt` seconds; `job.attempt` counts
 *    from 0 and `job.final` says no retry follows, so a handler can record a definitive failure.
 *  - Delivery is at least once: a job that was running when the process died runs again, so
 *    handlers must be idempotent (or de-duplicate, as subscription receivers do by event number).
 *  - `stop()` stops taking jobs and waits for running handlers.
 *
 * PostgreSQL: pg-boss (its own schema `pgboss`, created on first start). PGlite: the table-backed
 * queue of `table-queue.ts` (table `qiao_job`), polled in-process. Both behind this interface.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../repository/db.js';
import type { Context } from '../router/types.js';

export interface EnqueueOptions {
  runAt?: Date;
  singletonKey?: string;
  /** Retries after the first attempt (default 5). */
  retryLimit?: number;
  /** First retry delay in seconds, doubled for each further retry (default 2). */
  backoffSeconds?: number;
  /** Enqueue inside this transaction (of `ctx.db`). */
  tx?: Queryable;
}

export interface Job<T = unknown> {
  id: string;
  name: string;
  payload: T;
  /** 0 on the first run. */
  attempt: number;
  /** No retry follows if this run fails. */
  final: boolean;
}

export type JobHandler<T = unknown> = (job: Job<T>) => Promise<void>;

export interface WorkOptions {
  /** Jobs of this name run at most this many at a time in this process (default 1). */
  concurrency?: number;
}

export interface JobQueue {
  readonly kind: 'pg-boss' | 'table';
  /** Returns the job id, or null when a job with the same singleton key is already kept. */
  enqueue(name: string, payload: object, options?: EnqueueOptions): Promise<string | null>;
  work<T>(name: string, handler: JobHandler<T>, options?: WorkOptions): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_RETRY_LIMIT = 5;
export const DEFAULT_BACKOFF_SECONDS = 2;

/** A job id derived from its singleton key (a UUID-shaped hash), so a second enqueue collides. */
export function singletonId(name: string, key: string): string {
  const h = createHash('sha256').update(`${name}\u0000${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const queues = new WeakMap<object, JobQueue>();

/** The server's queue for this context (set once at start by `server.ts`). */
export function jobQueueOf(ctx: Context): JobQueue {
  const queue = queues.get(ctx.db);
  if (!queue) throw new Error('the job queue is not running (startServer opens it)');
  return queue;
}

export function registerJobQueue(ctx: Context, queue: JobQueue): void {
  queues.set(ctx.db, queue);
}
