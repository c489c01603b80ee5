import type { Logger } from '../http/logger.js';
import type { Context } from '../router/types.js';
import { openPgBossQueue } from './pg-boss-queue.js';
import { registerJobQueue, type JobQueue } from './queue.js';
import { openTableQueue } from './table-queue.js';

export { jobQueueOf, type EnqueueOptions, type Job, type JobHandler, type JobQueue } from './queue.js';

/** Opens the queue for the server's database (pg-boss on PostgreSQL, the job table on PGlite) and makes it `jobQueueOf(ctx)`. */
export async function openJobQueue(ctx: Context, logger: Logger): Promise<JobQueue> {
  const queue = ctx.db.kind === 'postgres' && ctx.config.databaseUrl ? await openPgBossQueue(ctx.config.databaseUrl, logger) : await openTableQueue(ctx.db, logger);
  registerJobQueue(ctx, queue);
  return queue;
}
