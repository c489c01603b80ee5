import type { Queryable } from '../repository/db.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import type { Filter, ParsedSearch } from './parse.js';

export interface SearchResult {
  matches: StoredVersion[];
  total: number | undefined;
}

/** Builds one parameterised SQL statement from the parsed search; values never enter the SQL text. */
export async function executeSearch(q: Queryable, search: ParsedSearch): Promise<SearchResult> {
  const args: unknown[] = [];
  const arg = (value: unknown) => {
    args.push(value);
    return `$${args.length}`;
  };
  const where = ['NOT r.deleted'];
  if (search.resourceType) where.push(`r.resource_type = ${arg(search.resourceType)}`);
  for (const filter of search.filters) where.push(condition(filter, arg));
  const whereSql = where.join(' AND ');

  let total: number | undefined;
  if (search.summaryCount || search.total !== 'none') {
    const [row] = await q.query<{ n: string }>(`SELECT count(*)::text AS n FROM resource r WHERE ${whereSql}`, args);
    total = Number(row?.n ?? 0);
  }
  if (search.summaryCount || search.count === 0) return { matches: [], total };

  const order = search.sort.length
    ? search.sort.map((s) => `r.${s.column} ${s.descending ? 'DESC' : 'ASC'}`).join(', ') + ', r.resource_type, r.id'
    : 'r.last_updated DESC, r.resource_type, r.id';
  const rows = await q.query<StoredRow>(
    `SELECT ${storedColumns('r')}, false AS deleted
     FROM resource r WHERE ${whereSql} ORDER BY ${order} LIMIT ${arg(search.count)} OFFSET ${arg(search.offset)}`,
    args,
  );
  return { matches: rows.map((r) => fromRow(r)), total };
}

function condition(filter: Filter, arg: (v: unknown) => string): string {
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

function dateCondition(column: string, prefix: string, start: number, end: number, arg: (v: unknown) => string): string {
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
