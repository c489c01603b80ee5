import type { SqlParams } from '../../repository/sql-params.js';
import type { Cursor } from '../cursor.js';
import type { SortKey } from '../parse.js';

/** How a page is ordered: joins for the sort keys, the ORDER BY terms, the key columns read back, and the cursor condition. */
export interface Ordering {
  joins: string;
  /** Extra WHERE conditions: the cursor, and for the no-value phase the absence of a value. */
  conditions: string[];
  /** The ORDER BY terms: what each orders by, and its direction (`DESC NULLS LAST`, …). */
  orderTerms: { sql: string; direction: string }[];
  /** The cursor's key columns, in key order: each expression as text, and its name (`k0`, …). */
  keys: { sql: string; name: string }[];
}

/**
 * A condition always true that makes a statement parallel-unsafe (current_schema() is marked so),
 * hence planned for one process. A walk down the sort index stops after a few hundred entries;
 * parallel workers split it, but starting them cost 90–200 ms where the walk alone took 30–50 ms
 * (EXPLAIN ANALYZE at a million resources, two busy cores).
 */
export const SERIAL = 'current_schema() IS NOT NULL';

/**
 * A sort on a parameter runs in two phases: first the resources that have a value, read in index
 * order from `search_sort`; then, once those are exhausted, the ones without (which sort last).
 */
export type Phase = 'values' | 'missing';

interface KeyExpr {
  sql: string;
  descending: boolean;
  /** What a cursor's text value is cast to for comparison. */
  cast: string;
  nullable: boolean;
}

/**
 * Whether a page in this order can be read from the first key's `search_sort` rows alone, with
 * no `resource` row: the order (after the first key) and the filters need only a resource's
 * type and id. Walking that index in order and probing the filters' indexes for each entry
 * stops after the page, where a plan over `resource` probes `resource_live` for each entry too.
 */
export function sortIndexDrives(sort: readonly SortKey[], phase: Phase): boolean {
  return phase === 'values' && hasMissingPhase(sort) && sort.every((k) => k.param !== '_lastUpdated');
}

/** Whether the first sort key can be missing, so that the search needs the two phases. */
export function hasMissingPhase(sort: readonly SortKey[]): boolean {
  const first = sort[0];
  return first !== undefined && first.param !== '_id' && first.param !== '_lastUpdated';
}

/**
 * Sort keys come from `search_sort` (a parameter's lowest value ascending, highest descending),
 * `_id` and `_lastUpdated` from the resource row; ties go by type and id in the first key's
 * direction, so that one backward or forward index scan yields the whole order. The cursor
 * condition is the keyset "strictly after the last entry", plus a plain bound on the first key
 * that lets the scan start at the cursor instead of at the beginning.
 */
export function ordering(p: SqlParams, r: string, sort: readonly SortKey[], cursor: Cursor | undefined, phase: Phase = 'values', sortRow = false): Ordering {
  const joins: string[] = [];
  const conditions: string[] = [];
  const keys: KeyExpr[] = [];
  sort.forEach((key, k) => {
    if (key.param === '_id') keys.push({ sql: `${r}.id`, descending: key.descending, cast: 'text', nullable: false });
    else if (key.param === '_lastUpdated') keys.push({ sql: `${r}.last_updated`, descending: key.descending, cast: 'timestamptz', nullable: false });
    else {
      if (k === 0 && sortRow) {
        // `r` is itself the first key's `search_sort` row (see sortIndexDrives).
        conditions.push(`${r}.param = ${p.add(key.param)}`);
        keys.push({ sql: key.descending ? `${r}.hi` : `${r}.lo`, descending: key.descending, cast: 'text', nullable: false });
        return;
      }
      const s = `s${k}`;
      const on = `${s}.resource_type = ${r}.resource_type AND ${s}.id = ${r}.id AND ${s}.param = ${p.add(key.param)}`;
      if (k === 0 && phase === 'missing') {
        conditions.push(`NOT EXISTS (SELECT 1 FROM search_sort ${s} WHERE ${on})`);
        return;
      }
      joins.push(`${k === 0 ? 'JOIN' : 'LEFT JOIN'} search_sort ${s} ON ${on}`);
      keys.push({ sql: key.descending ? `${s}.hi` : `${s}.lo`, descending: key.descending, cast: 'text', nullable: k > 0 });
    }
  });
  const tieDescending = sort[0]?.descending ?? false;
  const tie = tieDescending ? 'DESC' : 'ASC';
  const orderTerms = [
    ...keys.map((k) => ({ sql: k.sql, direction: `${k.descending ? 'DESC' : 'ASC'}${k.nullable ? ' NULLS LAST' : ''}` })),
    { sql: `${r}.resource_type`, direction: tie },
    { sql: `${r}.id`, direction: tie },
  ];
  const keyExprs = [...(phase === 'missing' && hasMissingPhase(sort) ? ['NULL::text'] : []), ...keys.map((k) => `${k.sql}::text`)];
  if (cursor) {
    const values = phase === 'missing' && hasMissingPhase(sort) ? cursor.values.slice(1) : cursor.values;
    conditions.push(afterCursor(p, r, keys, values, cursor, tieDescending));
    const first = keys[0];
    const v = values[0];
    // Only for a key every row has: the bound would drop the rows without a value that sort after it.
    if (first && !first.nullable && v !== null && v !== undefined) conditions.push(`${first.sql} ${first.descending ? '<=' : '>='} ${p.add(v)}::${first.cast}`);
  }
  return { joins: joins.join(' '), conditions, orderTerms, keys: keyExprs.map((sql, i) => ({ sql, name: `k${i}` })) };
}

function afterCursor(p: SqlParams, r: string, keys: KeyExpr[], values: (string | null)[], cursor: Cursor, tieDescending: boolean): string {
  const tail = `(${r}.resource_type, ${r}.id) ${tieDescending ? '<' : '>'} (${p.add(cursor.resourceType)}, ${p.add(cursor.id)})`;
  return keys.reduceRight<string>((rest, key, i) => {
    const value = values[i];
    if (value === null || value === undefined) return key.nullable ? `(${key.sql} IS NULL AND ${rest})` : rest;
    const v = `${p.add(value)}::${key.cast}`;
    const beyond = `${key.sql} ${key.descending ? '<' : '>'} ${v}`;
    return `(${beyond}${key.nullable ? ` OR ${key.sql} IS NULL` : ''} OR (${key.sql} = ${v} AND ${rest}))`;
  }, tail);
}
