import { sm3 } from '../crypto/sm3.js';
import type { Queryable } from '../repository/db.js';
import type { StoredVersion } from '../repository/stored.js';

/** The hash before the first record (and what an empty chain's head holds). */
export const GENESIS = '0'.repeat(64);

/**
 * JSON with object keys sorted and no white space, so the hash does not depend on how a driver
 * or a dump re-serialises the stored text.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** One link: SM3(previous hash (32 bytes) ‖ canonical JSON of the record as stored), hex. */
export function link(previous: string, record: unknown): string {
  return sm3(Buffer.concat([Buffer.from(previous, 'hex'), Buffer.from(canonicalJson(record), 'utf8')])).toString('hex');
}

/**
 * Appends stored AuditEvents to the chain inside the caller's transaction. Locking the head row
 * orders every writer on every process: the next writer waits for this transaction to commit or
 * roll back and then reads the head it left (READ COMMITTED re-reads a locked row's newest
 * version), so the chain has one order, the commit order, and no gap or fork. The lock is taken
 * last in the transaction, after the change and the AuditEvent are written, so it is held only
 * for this statement, one more, and the COMMIT.
 */
export async function appendToChain(q: Queryable, events: readonly StoredVersion[]): Promise<void> {
  if (events.length === 0) return;
  const [head] = await q.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_chain_head WHERE one FOR UPDATE');
  if (!head) throw new Error('audit_chain_head is missing: migration 10 has not run');
  let seq = BigInt(head.seq);
  let hash = head.hash;
  const seqs: string[] = [];
  const hashes: string[] = [];
  const recorded: string[] = [];
  for (const e of events) {
    const record = JSON.parse(e.json as string) as { recorded?: string };
    seq += 1n;
    hash = link(hash, record);
    seqs.push(seq.toString());
    hashes.push(hash);
    recorded.push(record.recorded ?? e.lastUpdated);
  }
  await q.query(
    `WITH h AS (UPDATE audit_chain_head SET seq = $1::bigint, hash = $2 WHERE one)
     INSERT INTO audit_chain (seq, kind, event_id, recorded, hash)
     SELECT s, 'event', i, r, x FROM unnest($3::bigint[], $4::text[], $5::timestamptz[], $6::text[]) AS u(s, i, r, x)`,
    [seq.toString(), hash, seqs, events.map((e) => e.id), recorded, hashes],
  );
}

