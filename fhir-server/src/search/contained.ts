import type { Queryable } from '../repository/db.js';
import { sqlParams, type SqlParams } from '../repository/sql-params.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import type { Cursor } from './cursor.js';
import { containedType } from './index/tables.js';
import type { Filter, ParsedSearch } from './parse.js';
import type { SearchResult } from './execute.js';
import { ConditionBuilder } from './sql/conditions.js';

/**
 * `_contained=true|both` (R4 search.html, "Contained Resources"): a contained resource matches
 * when its own index rows (written with its container's, index/tables.ts `containedKey`) pass the
 * search's filters as a resource of the searched type would, it is one of its container's current
 * contained resources (a `search_contained` row), and its container — what a client can read —
 * is current and passes `containerFilters` (access control).
 *
 * Each match is a key (`rt`, `rid`, `lid`): the resource row answered and, for a contained
 * resource answered by itself, its local id ('' otherwise). Pages follow that key order; the
 * cursor's id is `rid` or `rid#lid`.
 */
export async function executeContainedSearch(q: Queryable, search: ParsedSearch): Promise<SearchResult> {
  const counting = search.cursor?.total !== undefined ? Promise.resolve(search.cursor.total) : countMatches(q, search);
  if (search.summary === 'count' || search.count === 0) return { matches: [], total: await counting, next: undefined };
  const limit = search.count + 1;
  const [total, rows] = await Promise.all([counting, pageRows(q, search, search.cursor, limit)]);
  const page = rows.slice(0, search.count);
  const last = page[page.length - 1];
  const next = rows.length > search.count && last ? { values: [], resourceType: last.rt, id: keyId(last.rid, last.lid), ...(total !== undefined ? { total } : {}) } : undefined;
  return { matches: page.flatMap((row) => answer(row)), total, next };
}

type MatchRow = StoredRow & { rt: string; rid: string; lid: string };

async function countMatches(q: Queryable, search: ParsedSearch): Promise<number | undefined> {
  if (search.total === 'none' && search.summary !== 'count') return undefined;
  const p = sqlParams();
  const [row] = await q.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${matchKeys(p, search)}) m`, p.values);
  return Number(row?.n ?? 0);
}

async function pageRows(q: Queryable, search: ParsedSearch, cursor: Cursor | undefined, limit: number): Promise<MatchRow[]> {
  const p = sqlParams();
  const keys = matchKeys(p, search);
  const [rid = '', lid = ''] = cursor ? splitKeyId(cursor.id) : [];
  const after = cursor ? `WHERE (k.rt, k.rid, k.lid) > (${p.add(cursor.resourceType)}, ${p.add(rid)}, ${p.add(lid)})` : '';
  return q.query<MatchRow>(
    `SELECT m.rt, m.rid, m.lid, ${storedColumns('r')}, false AS deleted
     FROM (SELECT k.rt, k.rid, k.lid FROM (${keys}) k ${after} ORDER BY k.rt, k.rid, k.lid LIMIT ${p.add(limit)}) m
     JOIN resource r ON r.resource_type = m.rt AND r.id = m.rid
     ORDER BY m.rt, m.rid, m.lid`,
    p.values,
  );
}

/** The keys of every match, as one SELECT of (rt, rid, lid) without duplicates. */
function matchKeys(p: SqlParams, search: ParsedSearch): string {
  const type = search.resourceType as string;
  const builder = new ConditionBuilder(p);
  const branches: string[] = [];
  if (search.contained === 'both') {
    branches.push(`SELECT r.resource_type AS rt, r.id AS rid, ''::text AS lid FROM resource r WHERE ${builder.where(search.filters, 'r', type).join(' AND ')}`);
  }
  // `_id` names the local id of a contained resource; every other filter reads its index rows.
  const ids = search.filters.filter((f): f is Extract<Filter, { kind: 'id' }> => f.kind === 'id');
  const others = search.filters.filter((f) => f.kind !== 'id');
  const lidSql = (local: string) => (search.containedType === 'contained' ? local : `''::text`);
  const container = (local: string) => [...builder.where(search.containerFilters, 'r', undefined), ...ids.map((f) => `${f.not ? 'NOT ' : ''}${local} = ANY(${p.add(f.ids)}::text[])`)];
  const fromIndex = others.length > 0 ? builder.indexedMatches(others, containedType(type)) : undefined;
  if (fromIndex) {
    // The matching index rows are few: their keys name the containers (index/tables.ts, containedKey),
    // whose current contained resources they must be (rows an earlier version left are not).
    branches.push(
      `SELECT DISTINCT c.resource_type AS rt, c.id AS rid, ${lidSql('c.local_id')} AS lid
       FROM ${fromIndex} s
       JOIN search_contained c ON c.resource_type = split_part(s.id, '/', 1) AND c.id = split_part(split_part(s.id, '/', 2), '#', 1)
         AND c.local_id = split_part(s.id, '#', 2) AND c.contained_type = ${p.add(type)}
       JOIN resource r ON r.resource_type = c.resource_type AND r.id = c.id
       WHERE ${container('c.local_id').join(' AND ')}`,
    );
  } else {
    // Otherwise each current contained resource of the type is a row `cr` that the filters are checked on, as on a resource.
    branches.push(
      `SELECT DISTINCT c.resource_type AS rt, c.id AS rid, ${lidSql('c.local_id')} AS lid
       FROM search_contained c
       JOIN resource r ON r.resource_type = c.resource_type AND r.id = c.id
       CROSS JOIN LATERAL (SELECT ${p.add(containedType(type))}::text AS resource_type, c.resource_type || '/' || c.id || '#' || c.local_id AS id,
         false AS deleted, r.last_updated) cr
       WHERE c.contained_type = ${p.add(type)}
         AND ${[...container('c.local_id'), ...builder.where(others, 'cr', containedType(type))].join(' AND ')}`,
    );
  }
  return branches.join(' UNION ');
}

/** What a match row is answered with: the resource row, or the contained resource inside it. */
function answer(row: MatchRow): StoredVersion[] {
  const stored = fromRow(row);
  if (!row.lid || stored.json === null) return [stored];
  const container = JSON.parse(stored.json) as { contained?: { id?: unknown }[] };
  const inner = container.contained?.find((c) => c.id === row.lid);
  // Indexed from this very version, so it is there; were it not, the entry is left out rather than invented.
  if (!inner) return [];
  // Addressed inside its container: the entry's fullUrl becomes `[base]/Type/id#local`.
  return [{ ...stored, id: keyId(row.rid, row.lid), json: JSON.stringify(inner) }];
}

function keyId(rid: string, lid: string): string {
  return lid ? `${rid}#${lid}` : rid;
}

function splitKeyId(id: string): [string, string] {
  const hash = id.indexOf('#');
  return hash < 0 ? [id, ''] : [id.slice(0, hash), id.slice(hash + 1)];
}
