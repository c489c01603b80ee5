import { FhirError } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import { sqlParams } from '../repository/sql-params.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import { executeContainedSearch } from './contained.js';
import type { Cursor } from './cursor.js';
import type { ParsedSearch } from './parse.js';
import { ConditionBuilder, readsResourceRow, streamsInIdOrder } from './sql/conditions.js';
import { hasMissingPhase, ordering, SERIAL, sortIndexDrives, type Phase } from './sql/order.js';
import { pairWalk, pairWalkPage } from './sql/pair-order.js';

export interface SearchResult {
  matches: StoredVersion[];
  total: number | undefined;
  /** Where the next page starts; undefined on the last page. */
  next: Cursor | undefined;
}

function whereSql(search: ParsedSearch, builder: ConditionBuilder, r = 'r'): string {
  return builder.where(search.filters, r, search.resourceType).join(' AND ');
}

export async function executeSearch(q: Queryable, search: ParsedSearch): Promise<SearchResult> {
  if (search.contained !== 'false') return executeContainedSearch(q, search);
  const total = () => (search.cursor?.total !== undefined ? Promise.resolve(search.cursor.total) : countMatches(q, search));
  if (search.summary === 'count' || search.count === 0) return { matches: [], total: await total(), next: undefined };

  // One row more than the page tells whether there is a next page without counting.
  const limit = search.count + 1;
  // Matches that stream in id order (no filter at all, or only such filters) are cheaper paged and counted apart.
  if (search.cursor === undefined && search.sort.length === 0 && search.total === 'accurate' && !search.filters.every(streamsInIdOrder)) {
    const first = await firstPageWithTotal(q, search, limit);
    return answer(search, first.rows, first.total);
  }
  // The count and the page are independent statements: outside a transaction they run at once, on two connections.
  const counting = total();
  const inMissingPhase = hasMissingPhase(search.sort) && search.cursor !== undefined && search.cursor.values[0] === null;
  const [counted, firstRows] = await Promise.all([counting, pageRows(q, search, inMissingPhase ? 'missing' : 'values', search.cursor, limit)]);
  let rows = firstRows;
  // A first page holding as many rows as the accurate count holds every match: none lacks the sort value.
  const allOnPage = search.cursor === undefined && search.total === 'accurate' && counted === rows.length;
  if (hasMissingPhase(search.sort) && !inMissingPhase && rows.length < limit && !allOnPage) {
    rows = rows.concat(await pageRows(q, search, 'missing', undefined, limit - rows.length));
  }
  return answer(search, rows, counted);
}

function answer(search: ParsedSearch, rows: (StoredRow & Record<string, string | null>)[], total: number | undefined): SearchResult {
  const page = rows.slice(0, search.count);
  const last = page[page.length - 1];
  const next =
    rows.length > search.count && last
      ? {
          values: search.sort.map((_, i) => last[`k${i}`] ?? null),
          resourceType: last.resource_type,
          id: last.id,
          ...(total !== undefined ? { total } : {}),
        }
      : undefined;
  return { matches: page.map((row) => fromRow(row)), total, next };
}

/**
 * The first page in id order and the total, in one statement: both need every match (the page
 * needs the lowest ids), so the matches are found once instead of once for each, which halves
 * the work of a search whose matches take many probes to find.
 */
async function firstPageWithTotal(q: Queryable, search: ParsedSearch, limit: number) {
  const p = sqlParams();
  const builder = new ConditionBuilder(p);
  const fromIndex = search.resourceType ? builder.indexedMatches(search.filters, search.resourceType) : undefined;
  const matches = fromIndex
    ? `SELECT ${p.add(search.resourceType)}::text AS resource_type, s.id FROM ${fromIndex} s`
    : `SELECT r.resource_type, r.id FROM resource r WHERE ${whereSql(search, builder)}`;
  const rows = await q.query<StoredRow & { total: string } & Record<string, string | null>>(
    `WITH m AS MATERIALIZED (${matches}),
       page AS (SELECT m.resource_type, m.id FROM m ORDER BY m.resource_type, m.id LIMIT ${p.add(limit)})
     SELECT ${storedColumns('r')}, false AS deleted, (SELECT count(*) FROM m)::text AS total
     FROM page JOIN resource r ON r.resource_type = page.resource_type AND r.id = page.id
     ORDER BY r.resource_type, r.id`,
    p.values,
  );
  // No row means no match: the page is the first ids of the matches.
  return { rows, total: Number(rows[0]?.total ?? 0) };
}

async function pageRows(q: Queryable, search: ParsedSearch, phase: Phase, cursor: Cursor | undefined, limit: number) {
  const p = sqlParams();
  const builder = new ConditionBuilder(p);
  // In id order the page is the first ids of the matching set, which the indexes give directly.
  const fromIndex = search.resourceType && search.sort.length === 0 ? builder.indexedMatches(search.filters, search.resourceType) : undefined;
  if (fromIndex) {
    // The page's ids are chosen before any resource row is read, so the join visits only them.
    const after = cursor ? `WHERE s.id > ${p.add(cursor.id)}` : '';
    return q.query<StoredRow & Record<string, string | null>>(
      `SELECT ${storedColumns('r')}, false AS deleted
       FROM (SELECT s.id FROM ${fromIndex} s ${after} ORDER BY s.id LIMIT ${p.add(limit)}) m
       JOIN resource r ON r.resource_type = ${p.add(search.resourceType)} AND r.id = m.id
       ORDER BY r.id`,
      p.values,
    );
  }
  const type = search.resourceType;
  const walk = pairWalk(search, phase);
  if (walk) return pairWalkPage(q, p, walk, cursor, limit);
  const fromSortIndex = type !== undefined && sortIndexDrives(search.sort, phase) && !search.filters.some(readsResourceRow);
  const where = fromSortIndex ? builder.where(search.filters, 'r', type, true).join(' AND ') : whereSql(search, builder);
  const order = ordering(p, 'r', search.sort, cursor, phase, fromSortIndex);
  // The page's keys first, from the indexes (the resource row's key is in `resource_live`), and
  // the stored resources of those alone: a plan that meets many candidates before the LIMIT then
  // reads an index entry for each, not a row of `resource` with its content.
  const terms = order.orderTerms.map((t, i) => ({ ...t, name: `o${i}` }));
  const inner = [`r.resource_type`, `r.id`, ...terms.map((t) => `${t.sql} AS ${t.name}`), ...order.keys.map((k) => `${k.sql} AS ${k.name}`)];
  return q.query<StoredRow & Record<string, string | null>>(
    `SELECT ${[`${storedColumns('r')}, false AS deleted`, ...order.keys.map((k) => `m.${k.name}`)].join(', ')}
     FROM (SELECT ${inner.join(', ')}
       FROM ${fromSortIndex ? 'search_sort' : 'resource'} r ${order.joins}
       WHERE ${[where, ...order.conditions, ...(fromSortIndex ? [SERIAL] : [])].join(' AND ')}
       ORDER BY ${terms.map((t) => `${t.sql} ${t.direction}`).join(', ')} LIMIT ${p.add(limit)}) m
     JOIN resource r ON r.resource_type = m.resource_type AND r.id = m.id
     ORDER BY ${terms.map((t) => `m.${t.name} ${t.direction}`).join(', ')}`,
    p.values,
  );
}

async function countMatches(q: Queryable, search: ParsedSearch): Promise<number | undefined> {
  if (search.total === 'none' && search.summary !== 'count') return undefined;
  const p = sqlParams();
  const builder = new ConditionBuilder(p);
  const fromIndex = search.resourceType ? builder.indexedMatches(search.filters, search.resourceType) : undefined;
  const sql = fromIndex ? `SELECT count(*)::text AS n FROM ${fromIndex} m` : `SELECT count(*)::text AS n FROM resource r WHERE ${whereSql(search, builder)}`;
  if (search.total === 'estimate' && search.summary !== 'count') {
    const e = sqlParams();
    const [plan] = await q.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM resource r WHERE ${whereSql(search, new ConditionBuilder(e))}`, e.values);
    const estimate = planRows(plan?.['QUERY PLAN']);
    if (estimate !== undefined) return estimate;
  }
  const [row] = await q.query<{ n: string }>(sql, p.values);
  return Number(row?.n ?? 0);
}

/** The planner's row estimate from EXPLAIN (FORMAT JSON) output, which drivers return parsed or as text. */
function planRows(plan: unknown): number | undefined {
  const parsed: unknown = typeof plan === 'string' ? JSON.parse(plan) : plan;
  const rows = (parsed as [{ Plan?: { 'Plan Rows'?: number } }] | undefined)?.[0]?.Plan?.['Plan Rows'];
  return typeof rows === 'number' ? Math.round(rows) : undefined;
}

/**
 * The first `limit` matches of each of several searches, in one statement: a transaction with
 * many conditional creates or references resolves them all in one round trip.
 */
export async function firstMatchesOfEach(q: Queryable, searches: ParsedSearch[], limit: number): Promise<StoredVersion[][]> {
  const results: StoredVersion[][] = searches.map(() => []);
  if (searches.length === 0) return results;
  // What such criteria select is a resource to write: a contained resource is not one.
  const contained = searches.find((s) => s.contained !== 'false');
  if (contained) throw new FhirError('search.param-invalid', { param: '_contained', value: contained.contained }, '_contained');
  for (let from = 0; from < searches.length; from += UNION_BRANCHES) {
    const p = sqlParams();
    const builder = new ConditionBuilder(p);
    const parts = searches
      .slice(from, from + UNION_BRANCHES)
      .map((search, k) => `(SELECT ${from + k} AS k, ${storedColumns('r')}, false AS deleted FROM resource r WHERE ${whereSql(search, builder)} LIMIT ${limit})`);
    const rows = await q.query<StoredRow & { k: number }>(parts.join(' UNION ALL '), p.values);
    for (const row of rows) results[row.k]?.push(fromRow(row));
  }
  return results;
}

/**
 * Branches of one UNION ALL: PostgreSQL parses the chain recursively, and the embedded database's
 * stack gives out between 500 and 750 branches (a transaction of 750 conditional creates failed).
 */
const UNION_BRANCHES = 200;
