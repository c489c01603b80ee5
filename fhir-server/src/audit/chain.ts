import { canonicalJson } from '../crypto/canonical-json.js';
import { sm3 } from '../crypto/sm3.js';
import type { Db, Queryable } from '../repository/db.js';

/** The hash before the first record (and what an empty chain's head holds). */
export const GENESIS = '0'.repeat(64);

/** One link: SM3(previous hash (32 bytes) ‖ canonical JSON of the record as stored), hex. */
export function link(previous: string, record: unknown): string {
  return sm3(Buffer.concat([Buffer.from(previous, 'hex'), Buffer.from(canonicalJson(record), 'utf8')])).toString('hex');
}

/**
 * Marks stored AuditEvents for linking, in the writer's transaction: one insert that takes no
 * lock anyone else waits for, so writers run side by side. The record and its pending row commit
 * or roll back with the change they record; the linker chains them after commit.
 */
export async function markForLinking(q: Queryable, events: readonly { id: string; recorded: string }[]): Promise<void> {
  if (events.length === 0) return;
  await q.query('INSERT INTO audit_pending (event_id, recorded) SELECT * FROM unnest($1::text[], $2::timestamptz[])', [events.map((e) => e.id), events.map((e) => e.recorded)]);
}

/** Key of the advisory lock that makes one linker at a time, across processes on one database. */
const LINKER_LOCK = 0x7169616f_61756469n; // "qiaoaudi"
const LINK_BATCH = 1000;

/**
 * Links committed pending records into the chain, in batches of LINK_BATCH, oldest pending row
 * first, until none is left; returns how many were linked. Each batch is one transaction under
 * an advisory lock, so however many processes run a linker, one links at a time and the chain
 * has one order: the order in which records became visible to the linker, i.e. their commit order
 * to the granularity of one batch. A record whose writer has not committed is invisible and is
 * linked by a later batch. `wait` blocks for the lock (a flush, a shutdown); without it a busy
 * lock means another process is linking and this call returns 0.
 *
 * A pending row whose record is gone (deleted before it was linked) is never linked: it stays and
 * verification reports it once it is older than the grace period.
 */
export async function linkPending(db: Db, options: { wait?: boolean } = {}): Promise<number> {
  // The background loop's usual case is nothing to do: one read, no transaction.
  if (!options.wait && (await db.query('SELECT 1 FROM audit_pending LIMIT 1')).length === 0) return 0;
  let total = 0;
  for (;;) {
    const linked = await db.transaction(async (q) => {
      const lock = options.wait
        ? await q.query<{ ok: boolean }>('SELECT true AS ok FROM (SELECT pg_advisory_xact_lock($1::bigint)) l', [LINKER_LOCK.toString()])
        : await q.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS ok', [LINKER_LOCK.toString()]);
      if (lock[0]?.ok !== true) return 0;
      const rows = await q.query<{ pending_id: string; event_id: string; recorded: Date | string; content: string }>(
        // Each pending record's content looked up by its key. As a join (or a LATERAL subquery the
        // planner may flatten into one) it was run as a merge of the queue with every AuditEvent's
        // history row in id order — 17,000–33,000 rows read for a handful, four times a second; the
        // LIMIT keeps the subquery a lookup per row.
        `SELECT p.pending_id::text AS pending_id, p.event_id, p.recorded, h.content
         FROM (SELECT pending_id, event_id, recorded FROM audit_pending ORDER BY pending_id LIMIT ${LINK_BATCH}) p
         CROSS JOIN LATERAL (SELECT content FROM resource_history
           WHERE resource_type = 'AuditEvent' AND id = p.event_id AND version_id = 1 LIMIT 1) h
         ORDER BY p.pending_id`,
      );
      if (rows.length === 0) return 0;
      // The retention purge takes this row too: linking and purging never interleave.
      const [head] = await q.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_chain_head WHERE one FOR UPDATE');
      if (!head) throw new Error('audit_chain_head is missing: migration 10 has not run');
      let seq = BigInt(head.seq);
      let hash = head.hash;
      const seqs: string[] = [];
      const hashes: string[] = [];
      for (const row of rows) {
        seq += 1n;
        hash = link(hash, JSON.parse(row.content));
        seqs.push(seq.toString());
        hashes.push(hash);
      }
      await q.query(
        `WITH h AS (UPDATE audit_chain_head SET seq = $1::bigint, hash = $2 WHERE one),
         d AS (DELETE FROM audit_pending WHERE pending_id = ANY($7::bigint[]))
         INSERT INTO audit_chain (seq, kind, event_id, recorded, hash, linked_at)
         SELECT s, 'event', i, r, x, now() FROM unnest($3::bigint[], $4::text[], $5::timestamptz[], $6::text[]) AS u(s, i, r, x)`,
        [seq.toString(), hash, seqs, rows.map((r) => r.event_id), rows.map((r) => new Date(r.recorded).toISOString()), hashes, rows.map((r) => r.pending_id)],
      );
      return rows.length;
    });
    total += linked;
    if (linked < LINK_BATCH) return total;
  }
}
