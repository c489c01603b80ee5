import type { SqlParams } from '../../repository/sql-params.js';
import type { Cursor } from '../cursor.js';
import type { SortKey } from '../parse.js';

/** How a page is ordered: joins for the sort keys, ORDER BY, the key columns read back, and the cursor condition. */
export interface Ordering {
  joins: string;
  orderBy: string;
  /** `expr::text AS k0, …`, in key order, for the next cursor. */
  keyColumns: string;
  after: string | undefined;
}

interface KeyExpr {
  sql: string;
  descending: boolean;
  /** What a cursor's text value is cast to for comparison. */
  cast: string;
  nullable: boolean;
}

/**
 * Sort keys come from `search_sort` (a parameter's lowest value ascending, highest descending),
 * `_id` and `_lastUpdated` from the resource row; resources without a value come last, ties go by
 * type and id. The cursor condition is the keyset "strictly after the last entry" in that order.
 */
export function ordering(p: SqlParams, r: string, sort: readonly SortKey[], cursor: Cursor | undefined): Ordering {
  const joins: string[] = [];
  const keys: KeyExpr[] = sort.map((key, k) => {
    if (key.param === '_id') return { sql: `${r}.id`, descending: key.descending, cast: 'text', nullable: false };
    if (key.param === '_lastUpdated') return { sql: `${r}.last_updated`, descending: key.descending, cast: 'timestamptz', nullable: false };
    const s = `s${k}`;
    joins.push(`LEFT JOIN search_sort ${s} ON ${s}.resource_type = ${r}.resource_type AND ${s}.id = ${r}.id AND ${s}.param = ${p.add(key.param)}`);
    return { sql: key.descending ? `${s}.hi` : `${s}.lo`, descending: key.descending, cast: 'text', nullable: true };
  });
  const orderBy = [...keys.map((k) => `${k.sql} ${k.descending ? 'DESC' : 'ASC'}${k.nullable ? ' NULLS LAST' : ''}`), `${r}.resource_type`, `${r}.id`].join(', ');
  const keyColumns = keys.map((k, i) => `${k.sql}::text AS k${i}`).join(', ');
  return { joins: joins.join(' '), orderBy, keyColumns, after: cursor ? afterCursor(p, r, keys, cursor) : undefined };
}

function afterCursor(p: SqlParams, r: string, keys: KeyExpr[], cursor: Cursor): string {
  const tail = `(${r}.resource_type, ${r}.id) > (${p.add(cursor.resourceType)}, ${p.add(cursor.id)})`;
  return keys.reduceRight<string>((rest, key, i) => {
    const value = cursor.values[i];
    if (value === null || value === undefined) return key.nullable ? `(${key.sql} IS NULL AND ${rest})` : rest;
    const v = `${p.add(value)}::${key.cast}`;
    const beyond = `${key.sql} ${key.descending ? '<' : '>'} ${v}`;
    return `(${beyond}${key.nullable ? ` OR ${key.sql} IS NULL` : ''} OR (${key.sql} = ${v} AND ${rest}))`;
  }, tail);
}
