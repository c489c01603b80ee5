import type { Queryable } from '../repository/db.js';
import { sqlParams, type SqlParams } from '../repository/sql-params.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import type { Filter, ParsedSearch } from './parse.js';

export interface SearchResult {
  matches: StoredVersion[];
  total: number | undefined;
}

type Arg = SqlParams['add'];

/** The WHERE clause of a search over `resource r`; values only ever enter as parameters. */
function whereClause(search: ParsedSearch, arg: Arg): string {
  const where = ['NOT r.deleted'];
  if (search.resourceType) where.push(`r.resource_type = ${arg(search.resourceType)}`);
  for (const filter of search.filters) where.push(condition(filter, arg));
  return where.join(' AND ');
}

export async function executeSearch(q: Queryable, search: ParsedSearch): Promise<SearchResult> {
  const p = sqlParams();
  const whereSql = whereClause(search, p.add);
  let total: number | undefined;
  if (search.summaryCount || search.total !== 'none') {
    const [row] = await q.query<{ n: string }>(`SELECT count(*)::text AS n FROM resource r WHERE ${whereSql}`, p.values);
    total = Number(row?.n ?? 0);
  }
  if (search.summaryCount || search.count === 0) return { matches: [], total };

  const order = search.sort.length
    ? search.sort.map((s) => `r.${s.column} ${s.descending ? 'DESC' : 'ASC'}`).join(', ') + ', r.resource_type, r.id'
    : 'r.last_updated DESC, r.resource_type, r.id';
  const rows = await q.query<StoredRow>(
    `SELECT ${storedColumns('r')}, false AS deleted
     FROM resource r WHERE ${whereSql} ORDER BY ${order} LIMIT ${p.add(search.count)} OFFSET ${p.add(search.offset)}`,
    p.values,
  );
  return { matches: rows.map((r) => fromRow(r)), total };
}

/**
 * The first `limit` matches of each of several searches, in one statement: a transaction with
 * many conditional creates or references resolves them all in one round trip.
 */
export async function firstMatchesOfEach(q: Queryable, searches: ParsedSearch[], limit: number): Promise<StoredVersion[][]> {
  const results: StoredVersion[][] = searches.map(() => []);
  if (searches.length === 0) return results;
  const p = sqlParams();
  const parts = searches.map(
    (search, k) => `(SELECT ${k} AS k, ${storedColumns('r')}, false AS deleted FROM resource r WHERE ${whereClause(search, p.add)} LIMIT ${limit})`,
  );
  const rows = await q.query<StoredRow & { k: number }>(parts.join(' UNION ALL '), p.values);
  for (const row of rows) results[row.k]?.push(fromRow(row));
  return results;
}

function condition(filter: Filter, arg: Arg): string {
  switch (filter.kind) {
    case 'id':
      return `r.id = ANY(${arg(filter.ids)}::text[])`;
    case 'lastUpdated':
      return dateCondition('r.last_updated', filter.prefix, filter.range.start, filter.range.end, arg);
    case 'token': {
      const alternatives = filter.values.map((v) => {
        const parts = [`t.param = ${arg(filter.param)}`];
        if (v.code !== undefined) parts.push(`t.value = ${arg(v.code)}`);
        if (v.system === null) parts.push('t.system IS NULL');
        else if (v.system !== undefined) parts.push(`t.system = ${arg(v.system)}`);
        return `(${parts.join(' AND ')})`;
      });
      const exists = `EXISTS (SELECT 1 FROM search_token t WHERE t.resource_type = r.resource_type AND t.id = r.id
        AND (${alternatives.join(' OR ')}))`;
      return filter.not ? `NOT ${exists}` : exists;
    }
  }
}

function dateCondition(column: string, prefix: string, start: number, end: number, arg: Arg): string {
  const s = () => `${arg(new Date(start).toISOString())}::timestamptz`;
  const e = () => `${arg(new Date(end).toISOString())}::timestamptz`;
  switch (prefix) {
    case 'ne':
      return `(${column} < ${s()} OR ${column} >= ${e()})`;
    case 'gt':
    case 'sa':
      return `${column} >= ${e()}`;
    case 'lt':
    case 'eb':
      return `${column} < ${s()}`;
    case 'ge':
      return `${column} >= ${s()}`;
    case 'le':
      return `${column} < ${e()}`;
    case 'ap': {
      // "Approximately": the spec leaves the margin to the server; 10 % of the distance from now.
      const margin = Math.abs(Date.now() - start) * 0.1;
      return `${column} >= ${arg(new Date(start - margin).toISOString())}::timestamptz AND ${column} < ${arg(new Date(end + margin).toISOString())}::timestamptz`;
    }
    default:
      return `${column} >= ${s()} AND ${column} < ${e()}`;
  }
}
