import type { Db } from '../repository/db.js';
import { indexDeletesMany } from '../search/index/index-sql.js';

/** 等保 level 3 keeps audit records at least six months; nothing configures less. */
export const MIN_RETENTION_DAYS = 180;
const DAY_MS = 24 * 3600 * 1000;
const BATCH = 1000;

export interface PurgeResult {
  purged: number;
  /** The sequence number the chain now starts after (the anchor), if anything was purged. */
  anchorSeq?: string;
}

/**
 * Deletes the audit records older than the retention period, oldest first, and only a prefix of
 * the chain: a record is purged only if every record before it is too (so a late-committed
 * record with an old timestamp never leaves a hole). The last purged link becomes the anchor
 * row, holding its hash, from which verification continues. Each batch is one transaction under
 * the chain's head lock, so appends wait rather than interleave.
 */
export async function purgeAudit(db: Db, retentionDays: number, now: Date = new Date()): Promise<PurgeResult> {
  if (!Number.isInteger(retentionDays) || retentionDays < MIN_RETENTION_DAYS) {
    throw new Error(`audit retention must be at least ${MIN_RETENTION_DAYS} days (GB/T 22239-2019 level 3), not ${retentionDays}`);
  }
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
  let purged = 0;
  let anchorSeq: string | undefined;
  for (;;) {
    const done = await db.transaction(async (q) => {
      await q.query('SELECT 1 FROM audit_chain_head WHERE one FOR UPDATE');
      const rows = await q.query<{ seq: string; event_id: string | null }>(
        `SELECT seq::text AS seq, event_id FROM audit_chain
         WHERE seq < coalesce((SELECT min(seq) FROM audit_chain WHERE kind = 'event' AND recorded >= $1::timestamptz), 9223372036854775807)
         ORDER BY audit_chain.seq LIMIT ${BATCH}`,
        [cutoff],
      );
      const events = rows.filter((r) => r.event_id !== null);
      const last = rows[rows.length - 1];
      if (!last || events.length === 0) return 0;
      const ids = events.map((r) => r.event_id as string);
      const types = ids.map(() => 'AuditEvent');
      await q.query(
        `WITH ${indexDeletesMany('$1', '$2').map((sql, k) => `d${k} AS (${sql})`).join(', ')},
         r AS (DELETE FROM resource WHERE resource_type = 'AuditEvent' AND id = ANY($2::text[])),
         h AS (DELETE FROM resource_history WHERE resource_type = 'AuditEvent' AND id = ANY($2::text[]))
         SELECT 1`,
        [types, ids],
      );
      await q.query(
        `WITH d AS (DELETE FROM audit_chain WHERE seq < $1::bigint)
         UPDATE audit_chain SET kind = 'anchor', event_id = NULL WHERE seq = $1::bigint`,
        [last.seq],
      );
      anchorSeq = last.seq;
      return events.length;
    });
    purged += done;
    if (done < BATCH) return { purged, ...(anchorSeq ? { anchorSeq } : {}) };
  }
}

/** Purges at start and then daily; returns the function that stops it. */
export function scheduleRetention(db: Db, retentionDays: number, onDone: (result: PurgeResult | Error) => void): () => void {
  const run = () =>
    void purgeAudit(db, retentionDays)
      .then(onDone)
      .catch((error: unknown) => onDone(error instanceof Error ? error : new Error(String(error))));
  const first = setTimeout(run, 5000);
  const daily = setInterval(run, DAY_MS);
  first.unref();
  daily.unref();
  return () => {
    clearTimeout(first);
    clearInterval(daily);
  };
}
