import type { SqlParams } from '../../repository/sql-params.js';
import { storedColumns, type StoredRow } from '../../repository/stored.js';
import type { Queryable } from '../../repository/db.js';
import type { Cursor } from '../cursor.js';
import { pairsOf, type ResolvedPair } from '../index/pairs.js';
import { OPEN_HIGH, OPEN_LOW } from '../index/sort-key.js';
import { INDEX_TABLES } from '../index/tables.js';
import { plainFilter, type Filter, type ParsedSearch, type ValueFilter } from '../parse.js';
import { ConditionBuilder, readsResourceRow } from './conditions.js';
import { SERIAL, type Phase } from './order.js';

/**
 * "Results of this test, newest first": a token filter and a sort on the date it is indexed
 * together with (index/pairs.ts). Walking the date's sort index and probing the code for each
 * entry meets every result of every other test on the way — for a test that is one result in
 * thirteen, 775 probes for a page of 51 at a million resources. The pair's rows of that code,
 * walked in date order, are the page itself.
 */
export interface PairWalk {
  resourceType: string;
  pair: ResolvedPair;
  token: ValueFilter;
  /** The search's other filters, applied to each row walked. */
  rest: Filter[];
  descending: boolean;
}

/** The walk for a search sorted by one date that has a pair with one of its token filters; undefined otherwise. */
export function pairWalk(search: ParsedSearch, phase: Phase): PairWalk | undefined {
  const type = search.resourceType;
  const [key, ...more] = search.sort;
  // Resources without the date sort last, in the search's second phase: they have no pair rows.
  if (!type || phase !== 'values' || !key || more.length > 0 || search.filters.some(readsResourceRow)) return undefined;
  for (const pair of pairsOf(type)) {
    if (pair.table !== 'tokenDate' || pair.partner !== key.param) continue;
    const token = search.filters.find((f): f is ValueFilter => plainFilter(f, pair.token, 'token') && !f.all);
    if (token) return { resourceType: type, pair, token, rest: search.filters.filter((f) => f !== token), descending: key.descending };
  }
  return undefined;
}

/**
 * A page of the walk. A resource's sort key is its latest date's end descending, its earliest
 * date's start ascending (`search_sort` hi / lo), and it has one pair row per date and code: the
 * row that counts is the one at that end among its rows with a matching code (ties: the first
 * row), so each resource comes once, in the same order and with the same cursor keys as a walk
 * of `search_sort` would give.
 */
export function pairWalkPage(q: Queryable, p: SqlParams, walk: PairWalk, cursor: Cursor | undefined, limit: number) {
  const builder = new ConditionBuilder(p);
  const type = p.add(walk.resourceType);
  const table = INDEX_TABLES[walk.pair.table].name;
  const [end, beyond, dir] = walk.descending ? ['high', '>', 'DESC'] : ['low', '<', 'ASC'];
  const conditions = [
    ...builder.where(walk.rest, 'x', walk.resourceType, true),
    builder.pairToken(walk.pair.param, walk.token.alternatives, 'x'),
    `NOT EXISTS (SELECT 1 FROM ${table} d WHERE d.resource_type = x.resource_type AND d.id = x.id AND ${builder.pairToken(walk.pair.param, walk.token.alternatives, 'd')}
       AND (d.${end} ${beyond} x.${end} OR (d.${end} = x.${end} AND d.ctid < x.ctid)))`,
  ];
  const key = cursor?.values[0];
  if (cursor && key !== null && key !== undefined) {
    conditions.push(`(x.${end}, x.id) ${walk.descending ? '<' : '>'} (${p.add(timestampOfKey(key))}::timestamptz, ${p.add(cursor.id)})`);
  }
  return q.query<StoredRow & Record<string, string | null>>(
    `SELECT ${storedColumns('r')}, false AS deleted, s.${walk.descending ? 'hi' : 'lo'} AS k0
     FROM (SELECT x.id, x.${end} AS o FROM ${table} x WHERE ${conditions.join(' AND ')} AND ${SERIAL}
       ORDER BY x.${end} ${dir}, x.id ${dir} LIMIT ${p.add(limit)}) m
     JOIN resource r ON r.resource_type = ${type} AND r.id = m.id
     JOIN search_sort s ON s.resource_type = ${type} AND s.id = m.id AND s.param = ${p.add(walk.pair.partner)}
     ORDER BY m.o ${dir}, m.id ${dir}`,
    p.values,
  );
}

/** A date sort key (index/sort-key.ts) as the timestamp it encodes. */
function timestampOfKey(key: string): string {
  return key === OPEN_HIGH ? 'infinity' : key === OPEN_LOW ? '-infinity' : key;
}
