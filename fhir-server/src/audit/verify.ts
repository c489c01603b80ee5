import type { Db, Queryable } from '../repository/db.js';
import { canonicalJson } from '../crypto/canonical-json.js';
import { GENESIS, link } from './chain.js';

export interface BrokenLink {
  seq: string;
  /** The AuditEvent id (absent for a gap or an anchor). */
  eventId?: string;
  problem: 'missing-record' | 'hash-mismatch' | 'current-differs' | 'gap' | 'head-mismatch' | 'unchained-record' | 'unlinked-record' | 'anchor-not-first';
  expected?: string;
  found?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Links checked (records and the anchor). */
  checked: number;
  /** The sequence number the chain starts after (the last purged record's, or 0). */
  from: string;
  broken?: BrokenLink;
}

interface ChainRow {
  seq: string;
  kind: 'event' | 'anchor';
  event_id: string | null;
  hash: string;
  history: string | null;
  current: string | null;
  current_version: string | null;
}

const PAGE = 1000;

/** A committed record the linker has not chained after this long is an error (the linker runs every 250 ms). */
export const DEFAULT_LINK_GRACE_SECONDS = 60;

/**
 * Walks the chain in order and recomputes every link from the stored AuditEvent: the history
 * row (what vread and the chain saw) and the current row (what read and search serve) must both
 * be the record that was hashed, the sequence must have no gap, and the head must be the last
 * link. Also finds AuditEvents that are in no link and not waiting for the linker (inserted
 * behind the server's back), and records still waiting longer than `graceSeconds` (the linker
 * stopped, or the record was deleted before it could be linked). Stops at the first problem and
 * says where.
 */
export function verifyChain(db: Db, options: { graceSeconds?: number } = {}): Promise<VerifyResult> {
  // One snapshot: the running server's linker may append while the walk goes on.
  return db.transaction(async (q) => {
    await q.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return walk(q, options.graceSeconds ?? DEFAULT_LINK_GRACE_SECONDS);
  });
}

async function walk(q: Queryable, graceSeconds: number): Promise<VerifyResult> {
  let previous = GENESIS;
  let expectedSeq: bigint | undefined;
  let from = '0';
  let checked = 0;
  let after = '-1';
  for (;;) {
    const rows = await q.query<ChainRow>(
      `SELECT c.seq::text AS seq, c.kind, c.event_id, c.hash, h.content AS history, r.content AS current, r.version_id::text AS current_version
       FROM audit_chain c
       LEFT JOIN resource_history h ON h.resource_type = 'AuditEvent' AND h.id = c.event_id AND h.version_id = 1
       LEFT JOIN resource r ON r.resource_type = 'AuditEvent' AND r.id = c.event_id
       WHERE c.seq > $1::bigint ORDER BY c.seq LIMIT ${PAGE}`,
      [after],
    );
    for (const row of rows) {
      const seq = BigInt(row.seq);
      if (row.kind === 'anchor') {
        if (expectedSeq !== undefined) return broken(checked, from, { seq: row.seq, problem: 'anchor-not-first' });
        previous = row.hash;
        from = row.seq;
      } else {
        if (expectedSeq !== undefined && seq !== expectedSeq) return broken(checked, from, { seq: expectedSeq.toString(), problem: 'gap', expected: expectedSeq.toString(), found: row.seq });
        if (expectedSeq === undefined && seq !== 1n) return broken(checked, from, { seq: '1', problem: 'gap', expected: '1', found: row.seq });
        const problem = checkRecord(row, previous);
        if (problem) return broken(checked, from, problem);
        previous = row.hash;
      }
      expectedSeq = seq + 1n;
      checked++;
    }
    if (rows.length < PAGE) break;
    after = (rows[rows.length - 1] as ChainRow).seq;
  }
  const [head] = await q.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_chain_head WHERE one');
  const lastSeq = expectedSeq === undefined ? '0' : (expectedSeq - 1n).toString();
  if (!head || head.seq !== lastSeq || head.hash !== previous) {
    return broken(checked, from, { seq: head?.seq ?? '-', problem: 'head-mismatch', expected: `${lastSeq}:${previous}`, found: head ? `${head.seq}:${head.hash}` : 'no head row' });
  }
  const [stray] = await q.query<{ id: string }>(
    `SELECT r.id FROM resource r WHERE r.resource_type = 'AuditEvent'
     AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = r.id)
     AND NOT EXISTS (SELECT 1 FROM audit_pending p WHERE p.event_id = r.id) LIMIT 1`,
  );
  if (stray) return broken(checked, from, { seq: '-', eventId: stray.id, problem: 'unchained-record' });
  const [late] = await q.query<{ event_id: string; written_at: Date | string; present: boolean }>(
    `SELECT p.event_id, p.written_at, EXISTS (SELECT 1 FROM resource_history h WHERE h.resource_type = 'AuditEvent' AND h.id = p.event_id) AS present
     FROM audit_pending p WHERE p.written_at < now() - make_interval(secs => $1) ORDER BY p.pending_id LIMIT 1`,
    [graceSeconds],
  );
  if (late) {
    return broken(checked, from, {
      seq: '-',
      eventId: late.event_id,
      problem: 'unlinked-record',
      expected: `linked within ${graceSeconds} s`,
      found: `${late.present ? 'waiting' : 'record deleted before linking'} since ${new Date(late.written_at).toISOString()}`,
    });
  }
  return { ok: true, checked, from };
}

function checkRecord(row: ChainRow, previous: string): BrokenLink | undefined {
  const eventId = row.event_id ?? undefined;
  const at = { seq: row.seq, ...(eventId ? { eventId } : {}) };
  if (row.history === null) return { ...at, problem: 'missing-record' };
  let record: unknown;
  try {
    record = JSON.parse(row.history);
  } catch {
    return { ...at, problem: 'hash-mismatch', expected: row.hash, found: 'unreadable JSON' };
  }
  const hash = link(previous, record);
  // Expected: the hash the stored record and the previous link give; found: the one the chain holds.
  if (hash !== row.hash) return { ...at, problem: 'hash-mismatch', expected: hash, found: row.hash };
  if (row.current === null || row.current_version !== '1') return { ...at, problem: 'current-differs', expected: 'version 1, as chained', found: row.current === null ? 'deleted' : `version ${row.current_version ?? '?'}` };
  try {
    if (canonicalJson(JSON.parse(row.current)) !== canonicalJson(record)) return { ...at, problem: 'current-differs', expected: 'the chained record', found: 'different content' };
  } catch {
    return { ...at, problem: 'current-differs', expected: 'the chained record', found: 'unreadable JSON' };
  }
  return undefined;
}

function broken(checked: number, from: string, link: BrokenLink): VerifyResult {
  return { ok: false, checked, from, broken: link };
}
