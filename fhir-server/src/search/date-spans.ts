/**
 * The longest date range stored per resource type and parameter (`search_date_span`, migration
 * 24). A condition that bounds a date's end from below (`ge`, `gt`, `ap`: `high ≥ F`) says nothing
 * an index on `low` can use, so a window `date=ge…&date=lt…` read every row of the code that starts
 * before the window's end — 30,000 for a panel's reports over six years to find 174. A range is at
 * most the longest stored, so `low ≥ F − longest` holds of every match too: one short range of
 * the index.
 *
 * The longest only grows (an update or delete leaves it as it was: a looser bound, never a wrong
 * one); it is written in the statement that writes the rows, so a rolled-back write leaves
 * nothing behind, and a write whose ranges are no longer than what is stored touches no row of
 * this table (no lock for concurrent writers to wait on).
 */
import type { SqlParams } from '../repository/sql-params.js';
import { INDEX_TABLES, type IndexRows } from './index/tables.js';

/** Spans from this many milliseconds on (open ranges: infinity) give no bound. */
const NO_BOUND_MS = 1e13;

function spanMs(low: unknown, high: unknown): number {
  const from = Date.parse(String(low));
  const to = Date.parse(String(high));
  return Number.isFinite(from) && Number.isFinite(to) ? to - from : Infinity;
}

/** The tables whose rows carry a range (`low`, `high`), with the position of `low` in a row. */
const DATED = (['date', 'tokenDate'] as const).map((table) => ({ table, low: INDEX_TABLES[table].columns.findIndex(([name]) => name === 'low') }));

/**
 * An INSERT (for use as a CTE) that raises the stored longest span of each (type, param) that
 * these resources' rows exceed; undefined when they have no dated rows. `guard` as in indexInserts.
 */
export function spanUpsert(p: SqlParams, keys: readonly { resourceType: string }[], rows: readonly IndexRows[], guard?: string): string | undefined {
  const longest = new Map<string, [string, string, number]>();
  keys.forEach((key, k) => {
    for (const { table, low } of DATED) {
      for (const row of rows[k]?.[table] ?? []) {
        const param = String(row[0]);
        const span = spanMs(row[low], row[low + 1]);
        const id = `${key.resourceType}\u0000${param}`;
        const known = longest.get(id);
        if (!known || span > known[2]) longest.set(id, [key.resourceType, param, span]);
      }
    }
  });
  if (longest.size === 0) return undefined;
  const values = [...longest.values()];
  const [types, params, spans] = [values.map((v) => v[0]), values.map((v) => v[1]), values.map((v) => (Number.isFinite(v[2]) ? v[2] : 'Infinity'))].map(p.add);
  return `INSERT INTO search_date_span (resource_type, param, span_ms)
    SELECT u.t, u.p, u.s FROM unnest(${types}::text[], ${params}::text[], ${spans}::float8[]) AS u(t, p, s)
    WHERE NOT EXISTS (SELECT 1 FROM search_date_span k WHERE k.resource_type = u.t AND k.param = u.p AND k.span_ms >= u.s)${guard ? ` AND ${guard}` : ''}
    ON CONFLICT (resource_type, param) DO UPDATE SET span_ms = EXCLUDED.span_ms WHERE search_date_span.span_ms < EXCLUDED.span_ms`;
}

/**
 * The condition `low ≥ floor − longest span` on rows `low` of (type, param), its bound computed
 * once per statement; no bound when nothing of the parameter is stored or a range is open.
 */
export function spanFloorSql(low: string, resourceType: string, param: string, floorMs: number, arg: (value: unknown) => string): string {
  // One millisecond more than the longest: spans are whole milliseconds, the bound's arithmetic is in microseconds.
  return `${low} >= COALESCE((SELECT ${arg(new Date(floorMs).toISOString())}::timestamptz - (k.span_ms + 1) * interval '1 millisecond' FROM search_date_span k
    WHERE k.resource_type = ${arg(resourceType)} AND k.param = ${arg(param)} AND k.span_ms < ${NO_BOUND_MS}), '-infinity')`;
}

/** The SQL of migration 24: the table, filled from the rows stored before it. */
export const DATE_SPAN_MIGRATION_SQL = `
  CREATE TABLE search_date_span (
    resource_type text NOT NULL,
    param text NOT NULL,
    span_ms double precision NOT NULL,
    PRIMARY KEY (resource_type, param)
  );
  INSERT INTO search_date_span (resource_type, param, span_ms)
  SELECT resource_type, param, max(CASE WHEN isfinite(low) AND isfinite(high) THEN (extract(epoch from high - low) * 1000)::float8 ELSE 'Infinity'::float8 END)
  FROM (SELECT resource_type, param, low, high FROM search_date UNION ALL SELECT resource_type, param, low, high FROM search_token_date) d
  GROUP BY resource_type, param;
`;
