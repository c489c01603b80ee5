import { AUDIT_TRAIL_TYPE } from '../audit/trail.js';
import type { Queryable } from './db.js';
import { sqlParams } from './sql-params.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from './stored.js';

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  /** `_since`: versions last updated at or after this instant (epoch ms). */
  since?: number;
  /** `_at`: versions that were current at some point in [start, end). */
  at?: { start: number; end: number };
  /**
   * Upper bound fixed by the first page: history only grows, so pages read under the same bound
   * neither repeat nor skip entries while new versions arrive.
   */
  until: number;
  count: number;
  offset: number;
}

export interface HistoryPage {
  entries: StoredVersion[];
  total: number;
}

export async function readHistory(q: Queryable, query: HistoryQuery): Promise<HistoryPage> {
  const p = sqlParams();
  const arg = p.add;
  const iso = (ms: number) => `${arg(new Date(ms).toISOString())}::timestamptz`;
  const where = [`h.last_updated <= ${iso(query.until)}`];
  if (query.resourceType) where.push(`h.resource_type = ${arg(query.resourceType)}`);
  else where.push(`h.resource_type <> ${arg(AUDIT_TRAIL_TYPE)}`); // reached by name only (audit/trail.ts)
  if (query.id) where.push(`h.id = ${arg(query.id)}`);
  if (query.since !== undefined) where.push(`h.last_updated >= ${iso(query.since)}`);
  if (query.at) {
    // A version is current from its own lastUpdated until the next version's.
    where.push(`h.last_updated < ${iso(query.at.end)}`);
    where.push(`NOT EXISTS (SELECT 1 FROM resource_history n WHERE n.resource_type = h.resource_type AND n.id = h.id
      AND n.version_id > h.version_id AND n.last_updated <= ${iso(query.at.start)})`);
  }
  const whereSql = where.join(' AND ');
  const [countRow] = await q.query<{ n: string }>(`SELECT count(*)::text AS n FROM resource_history h WHERE ${whereSql}`, p.values);
  const rows = await q.query<StoredRow>(
    `SELECT ${storedColumns('h')}, h.method, h.content IS NULL AS deleted FROM resource_history h WHERE ${whereSql}
     ORDER BY h.last_updated DESC, h.resource_type, h.id, h.version_id DESC
     LIMIT ${arg(query.count)} OFFSET ${arg(query.offset)}`,
    p.values,
  );
  return { entries: rows.map((r) => fromRow(r)), total: Number(countRow?.n ?? 0) };
}
