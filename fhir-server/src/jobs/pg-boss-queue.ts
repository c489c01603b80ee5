import PgBoss from 'pg-boss';
import type { Logger } from '../http/logger.js';
import { DEFAULT_BACKOFF_SECONDS, DEFAULT_RETRY_LIMIT, singletonId, type JobHandler, type JobQueue } from './queue.js';

/** Seconds a job may run before pg-boss considers its worker dead and retries it. */
const EXPIRE_SECONDS = 120;
/** pg-boss's own polling step while it waits for stopping workers, plus a margin. */
const WORKER_STOP_POLL_MS = 1_100;
/** Completed jobs (and so their singleton keys) are kept this long. */
const KEEP_COMPLETED_SECONDS = 24 * 3600;
/**
 * How often the first worker of a name looks for jobs it was not told about (another process's,
 * a retry coming due); its siblings look far less often and are woken when it finds one. Every
 * look is a statement: twelve workers at the first rate kept an idle server at 24 a second.
 */
const POLL_SECONDS = 0.5;
const SIBLING_POLL_SECONDS = 30;

/** The queue on PostgreSQL: pg-boss in its own schema, with a small pool of its own. */
export async function openPgBossQueue(url: string, logger: Logger): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    // Each worker holds a connection while it fetches and completes; 8 delivery workers share these.
    max: 10,
    application_name: 'qiao-jobs',
    archiveCompletedAfterSeconds: KEEP_COMPLETED_SECONDS,
    schedule: false,
  });
  boss.on('error', (error: Error) => logger.log('warn', 'job queue error', { error: error.message }));
  await boss.start();
  const queues = new Map<string, Promise<void>>();
  const declared = (name: string) => {
    let created = queues.get(name);
    if (!created) {
      created = boss.createQueue(name, { name, expireInSeconds: EXPIRE_SECONDS });
      queues.set(name, created);
    }
    return created;
  };
  // pg-boss polls; a job enqueued here wakes this process's workers for its name at once.
  const workers = new Map<string, string[]>();
  let stopped = false;
  return {
    kind: 'pg-boss',
    async enqueue(name, payload, options = {}) {
      await declared(name);
      const id = await boss.send(name, payload, {
        ...(options.singletonKey !== undefined ? { id: singletonId(name, options.singletonKey) } : {}),
        ...(options.runAt ? { startAfter: options.runAt } : {}),
        retryLimit: options.retryLimit ?? DEFAULT_RETRY_LIMIT,
        retryDelay: options.backoffSeconds ?? DEFAULT_BACKOFF_SECONDS,
        retryBackoff: true,
        expireInSeconds: EXPIRE_SECONDS,
        ...(options.tx ? { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await options.tx!.query(text, values) }) } } : {}),
      });
      const wake = () => {
        if (!stopped) for (const worker of workers.get(name) ?? []) boss.notifyWorker(worker);
      };
      // Inside a transaction the job is not visible before COMMIT; the caller's commit is not ours to see, so poll soon.
      if (options.tx) setTimeout(wake, 20).unref();
      else wake();
      return id;
    },
    async work<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}) {
      await declared(name);
      const ids: string[] = [];
      for (let i = 0; i < (options.concurrency ?? 1); i++) {
        let self: string | undefined;
        self = await boss.work<T>(name, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: i === 0 ? POLL_SECONDS : SIBLING_POLL_SECONDS }, async ([job]) => {
          if (!job) return;
          // Where there is one job there may be more: the siblings look now, not at their next poll.
          if (!stopped) for (const sibling of ids) if (sibling !== self) boss.notifyWorker(sibling);
          try {
            await handler({ id: job.id, name, payload: job.data, attempt: job.retryCount, final: job.retryCount >= job.retryLimit });
          } finally {
            // A pg-boss worker sleeps out its polling interval after every job; one that just found work looks again at once.
            if (self && !stopped) boss.notifyWorker(self);
          }
        });
        ids.push(self);
      }
      workers.set(name, [...(workers.get(name) ?? []), ...ids]);
    },
    async stop() {
      stopped = true;
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      // pg-boss resolves stop() while a background loop still waits (1 s steps) for workers caught
      // mid-fetch to notice; outliving that loop means nothing of the queue runs after we return
      // (under jest a timer firing after teardown failed whichever test file ran next).
      if (workers.size > 0) await new Promise((resolve) => setTimeout(resolve, WORKER_STOP_POLL_MS));
    },
  };
}
