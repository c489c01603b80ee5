import { randomUUID } from 'node:crypto';
import type { Logger } from '../http/logger.js';
import type { Db } from '../repository/db.js';
import { DEFAULT_BACKOFF_SECONDS, DEFAULT_RETRY_LIMIT, singletonId, type JobHandler, type JobQueue } from './queue.js';

const POLL_MS = 250;
const CLEANUP_MS = 60_000;

interface Worker {
  handler: JobHandler<unknown>;
  concurrency: number;
  running: number;
}

interface JobRow {
  id: string;
  payload: unknown;
  attempt: number;
  retry_limit: number;
}

/**
 * The queue on the embedded database: jobs in table `qiao_job`, claimed and run by this process.
 * PGlite admits only this process, so a job found `active` at start was cut off by a crash or a
 * kill and runs again.
 */
export async function openTableQueue(db: Db, logger: Logger): Promise<JobQueue> {
  await db.query(`UPDATE qiao_job SET state = 'retry' WHERE state = 'active'`);
  const workers = new Map<string, Worker>();
  const running = new Set<Promise<void>>();
  let stopped = false;
  let polling = false;
  let again = false;

  const claim = async (name: string) => {
    const [row] = await db.query<JobRow>(
      `UPDATE qiao_job SET state = 'active', started_at = now()
       WHERE id = (SELECT id FROM qiao_job WHERE name = $1 AND state IN ('created', 'retry') AND run_at <= now() ORDER BY run_at, seq LIMIT 1)
       RETURNING id, payload, attempt, retry_limit`,
      [name],
    );
    return row;
  };

  const finish = async (id: string, error: unknown) => {
    if (error === undefined) {
      await db.query(`UPDATE qiao_job SET state = 'completed', finished_at = now() WHERE id = $1`, [id]);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    await db.query(
      `UPDATE qiao_job SET last_error = $2,
         state = CASE WHEN attempt < retry_limit THEN 'retry' ELSE 'failed' END,
         finished_at = CASE WHEN attempt < retry_limit THEN NULL ELSE now() END,
         run_at = CASE WHEN attempt < retry_limit THEN now() + backoff_seconds * power(2, attempt) * interval '1 second' ELSE run_at END,
         attempt = CASE WHEN attempt < retry_limit THEN attempt + 1 ELSE attempt END
       WHERE id = $1`,
      [id, message.slice(0, 2000)],
    );
  };

  const run = (name: string, worker: Worker, row: JobRow) => {
    worker.running++;
    const job = { id: row.id, name, payload: row.payload, attempt: row.attempt, final: row.attempt >= row.retry_limit };
    const done = worker
      .handler(job)
      .then(
        () => finish(row.id, undefined),
        (error: unknown) => finish(row.id, error ?? 'failed'),
      )
      .catch((error: unknown) => logger.log('error', 'job queue: recording a job outcome failed', { job: row.id, error: String(error) }))
      .finally(() => {
        worker.running--;
        running.delete(done);
        void poll();
      });
    running.add(done);
  };

  const poll = async (): Promise<void> => {
    if (polling) {
      again = true;
      return;
    }
    polling = true;
    try {
      do {
        again = false;
        for (const [name, worker] of workers) {
          while (!stopped && worker.running < worker.concurrency) {
            const row = await claim(name);
            if (!row) break;
            run(name, worker, row);
          }
        }
      } while (again && !stopped);
    } catch (error) {
      if (!stopped) logger.log('warn', 'job queue: polling failed', { error: String(error) });
    } finally {
      polling = false;
    }
  };

  const timer = setInterval(() => void poll(), POLL_MS);
  const cleanup = setInterval(() => {
    void db
      .query(`DELETE FROM qiao_job WHERE (state = 'completed' AND finished_at < now() - interval '1 day') OR (state = 'failed' AND finished_at < now() - interval '7 days')`)
      .catch(() => undefined);
  }, CLEANUP_MS);
  cleanup.unref();

  return {
    kind: 'table',
    async enqueue(name, payload, options = {}) {
      const id = options.singletonKey !== undefined ? singletonId(name, options.singletonKey) : randomUUID();
      const rows = await (options.tx ?? db).query<{ id: string }>(
        `INSERT INTO qiao_job (id, name, payload, run_at, retry_limit, backoff_seconds)
         VALUES ($1, $2, $3::jsonb, COALESCE($4::timestamptz, now()), $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, name, JSON.stringify(payload), options.runAt?.toISOString() ?? null, options.retryLimit ?? DEFAULT_RETRY_LIMIT, options.backoffSeconds ?? DEFAULT_BACKOFF_SECONDS],
      );
      // The embedded database serialises transactions, so a poll now runs after the caller's COMMIT.
      setImmediate(() => void poll());
      return rows[0]?.id ?? null;
    },
    async work<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}) {
      workers.set(name, { handler: handler as JobHandler<unknown>, concurrency: options.concurrency ?? 1, running: 0 });
      void poll();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(cleanup);
      await Promise.allSettled([...running]);
    },
  };
}
