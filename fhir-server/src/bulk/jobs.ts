import type { Queryable } from '../repository/db.js';
import type { ExportSpec, JobError, JobStatus, OutputFile } from './spec.js';

/** A job as the status endpoint reports it. */
export interface ExportJob {
  id: string;
  status: JobStatus;
  /** The kick-off URL, echoed in the manifest. */
  request: string;
  spec: ExportSpec;
  transactionTime: string;
  requiresAccessToken: boolean;
  progress: string;
  output: OutputFile[];
  error: JobError | undefined;
  /** Epoch ms of the last sign of life from the process running it. */
  heartbeat: number;
}

/** A running job not renewed for this long belongs to a process that is gone. */
export const STALE_AFTER_SECONDS = 30;

interface JobRow {
  id: string;
  status: JobStatus;
  request: string;
  spec: string;
  tt: number;
  requires_access_token: boolean;
  progress: string;
  output: string | null;
  error: string | null;
  hb: number;
}

const COLUMNS = `id, status, request, spec, (extract(epoch from transaction_time) * 1000)::float8 AS tt, requires_access_token,
  progress, output, error, (extract(epoch from heartbeat) * 1000)::float8 AS hb`;

function fromRow(row: JobRow): ExportJob {
  return {
    id: row.id,
    status: row.status,
    request: row.request,
    spec: JSON.parse(row.spec) as ExportSpec,
    transactionTime: new Date(Math.round(row.tt)).toISOString(),
    requiresAccessToken: row.requires_access_token,
    progress: row.progress,
    output: row.output ? (JSON.parse(row.output) as OutputFile[]) : [],
    error: row.error ? (JSON.parse(row.error) as JobError) : undefined,
    heartbeat: row.hb,
  };
}

/** Job rows in the `bulk_export` table (migration 8). */
export const jobs = {
  async insert(q: Queryable, job: { id: string; request: string; spec: ExportSpec; requiresAccessToken: boolean }): Promise<ExportJob> {
    const [row] = await q.query<JobRow>(
      `INSERT INTO bulk_export (id, status, request, spec, transaction_time, requires_access_token, progress)
       VALUES ($1, 'running', $2, $3, now(), $4, 'queued') RETURNING ${COLUMNS}`,
      [job.id, job.request, JSON.stringify(job.spec), job.requiresAccessToken],
    );
    return fromRow(row as JobRow);
  },

  async get(q: Queryable, id: string): Promise<ExportJob | undefined> {
    const [row] = await q.query<JobRow>(`SELECT ${COLUMNS} FROM bulk_export WHERE id = $1`, [id]);
    return row ? fromRow(row) : undefined;
  },

  /** Records progress and renews the heartbeat; false when the job is no longer running (cancelled). */
  async progress(q: Queryable, id: string, progress: string): Promise<boolean> {
    const rows = await q.query(`UPDATE bulk_export SET progress = $2, heartbeat = now() WHERE id = $1 AND status = 'running' RETURNING id`, [id, progress]);
    return rows.length > 0;
  },

  async heartbeat(q: Queryable, ids: string[]): Promise<void> {
    if (ids.length > 0) await q.query(`UPDATE bulk_export SET heartbeat = now() WHERE id = ANY($1::text[]) AND status = 'running'`, [ids]);
  },

  async complete(q: Queryable, id: string, output: OutputFile[]): Promise<boolean> {
    const rows = await q.query(
      `UPDATE bulk_export SET status = 'completed', output = $2, progress = 'completed', finished_at = now() WHERE id = $1 AND status = 'running' RETURNING id`,
      [id, JSON.stringify(output)],
    );
    return rows.length > 0;
  },

  async fail(q: Queryable, id: string, error: JobError): Promise<void> {
    await q.query(`UPDATE bulk_export SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status = 'running'`, [id, JSON.stringify(error)]);
  },

  /**
   * Running jobs whose process stopped renewing them (a crash, a kill) become failed, so that a
   * client polling them is told instead of waiting forever. `only` limits it to one job.
   */
  async failStale(q: Queryable, only?: string): Promise<string[]> {
    const rows = await q.query<{ id: string }>(
      `UPDATE bulk_export SET status = 'failed', finished_at = now(),
         error = json_build_object('messageId', 'export.interrupted', 'params', json_build_object('job', id))::text
       WHERE status = 'running' AND heartbeat < now() - make_interval(secs => $1) ${only ? 'AND id = $2' : ''}
       RETURNING id`,
      only ? [STALE_AFTER_SECONDS, only] : [STALE_AFTER_SECONDS],
    );
    return rows.map((r) => r.id);
  },

  /** Removes the jobs that finished more than `hours` ago; returns their ids, so their files go too. */
  async removeFinished(q: Queryable, hours: number): Promise<string[]> {
    const rows = await q.query<{ id: string }>(
      `DELETE FROM bulk_export WHERE status <> 'running' AND finished_at < now() - make_interval(hours => $1) RETURNING id`,
      [hours],
    );
    return rows.map((r) => r.id);
  },

  async remove(q: Queryable, id: string): Promise<boolean> {
    const rows = await q.query(`DELETE FROM bulk_export WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  },
};
