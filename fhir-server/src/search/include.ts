import type { Queryable } from '../repository/db.js';
import { sqlParams } from '../repository/sql-params.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import { referenceParamsSql } from './derived-references.js';
import type { IncludeSpec, ParsedSearch } from './parse.js';

/** Beyond this many included resources a page stops including; the links still let a client go on. */
export const MAX_INCLUDED = 1000;
const MAX_ITERATIONS = 4;

type Key = `${string}/${string}`;
const keyOf = (r: { resourceType: string; id: string }): Key => `${r.resourceType}/${r.id}`;

/**
 * The resources `_include` and `_revinclude` add to a page, from the reference index. `:iterate`
 * specs are applied again to what the previous round added, up to a few rounds.
 */
export async function findIncluded(q: Queryable, search: ParsedSearch, matches: readonly StoredVersion[]): Promise<StoredVersion[]> {
  if (search.includes.length === 0 && search.revincludes.length === 0) return [];
  const seen = new Set<Key>(matches.map(keyOf));
  const included: StoredVersion[] = [];
  let round: readonly StoredVersion[] = matches;
  for (let iteration = 0; iteration < MAX_ITERATIONS && round.length > 0 && included.length < MAX_INCLUDED; iteration++) {
    const includes = search.includes.filter((s) => iteration === 0 || s.iterate);
    const revincludes = search.revincludes.filter((s) => iteration === 0 || s.iterate);
    const wanted = new Map<Key, [string, string]>();
    for (const spec of includes) for (const key of await referencedBy(q, spec, round)) if (!seen.has(keyOf(key))) wanted.set(keyOf(key), [key.resourceType, key.id]);
    for (const spec of revincludes) for (const key of await referencing(q, spec, round)) if (!seen.has(keyOf(key))) wanted.set(keyOf(key), [key.resourceType, key.id]);
    const fetched = await fetchAll(q, [...wanted.values()].slice(0, MAX_INCLUDED - included.length));
    for (const r of fetched) seen.add(keyOf(r));
    included.push(...fetched);
    round = fetched;
  }
  return included;
}

/** Resources that the given ones reference (one level), except those in `exclude`: what `$everything` adds. */
export async function referencedFrom(q: Queryable, from: readonly StoredVersion[], exclude: readonly StoredVersion[]): Promise<StoredVersion[]> {
  if (from.length === 0) return [];
  const rows = await q.query<{ target_type: string; target_id: string }>(
    `SELECT DISTINCT x.target_type, x.target_id FROM search_reference x
     JOIN unnest($1::text[], $2::text[]) AS k(type, id) ON x.resource_type = k.type AND x.id = k.id
     WHERE x.target_type IS NOT NULL`,
    [from.map((r) => r.resourceType), from.map((r) => r.id)],
  );
  const skip = new Set<Key>([...from, ...exclude].map(keyOf));
  const wanted = rows.map((r) => [r.target_type, r.target_id] as [string, string]).filter(([t, i]) => !skip.has(`${t}/${i}`));
  return fetchAll(q, wanted.slice(0, MAX_INCLUDED));
}

interface ResourceKey {
  resourceType: string;
  id: string;
}

/** Targets of `spec.params` references held by the resources of `spec.sourceType` in `from`. */
async function referencedBy(q: Queryable, spec: IncludeSpec, from: readonly StoredVersion[]): Promise<ResourceKey[]> {
  const ids = from.filter((r) => r.resourceType === spec.sourceType).map((r) => r.id);
  if (ids.length === 0) return [];
  const p = sqlParams();
  const rows = await q.query<{ target_type: string; target_id: string }>(
    `SELECT DISTINCT x.target_type, x.target_id FROM search_reference x
     WHERE x.resource_type = ${p.add(spec.sourceType)} AND x.id = ANY(${p.add(ids)}::text[]) AND ${referenceParamsSql('x', spec.sourceType, spec.params, p.add)}
     AND x.target_type IS NOT NULL ${spec.targetType ? `AND x.target_type = ${p.add(spec.targetType)}` : ''}`,
    p.values,
  );
  return rows.map((r) => ({ resourceType: r.target_type, id: r.target_id }));
}

/** Resources of `spec.sourceType` whose `spec.params` references point at resources in `from`. */
async function referencing(q: Queryable, spec: IncludeSpec, from: readonly StoredVersion[]): Promise<ResourceKey[]> {
  const targets = spec.targetType ? from.filter((r) => r.resourceType === spec.targetType) : from;
  if (targets.length === 0) return [];
  const p = sqlParams();
  const rows = await q.query<{ resource_type: string; id: string }>(
    `SELECT DISTINCT x.resource_type, x.id FROM search_reference x
     JOIN unnest(${p.add(targets.map((r) => r.resourceType))}::text[], ${p.add(targets.map((r) => r.id))}::text[]) AS t(type, id) ON x.target_type = t.type AND x.target_id = t.id
     WHERE x.resource_type = ${p.add(spec.sourceType)} AND ${referenceParamsSql('x', spec.sourceType, spec.params, p.add)}`,
    p.values,
  );
  return rows.map((r) => ({ resourceType: r.resource_type, id: r.id }));
}

export async function fetchAll(q: Queryable, keys: [type: string, id: string][]): Promise<StoredVersion[]> {
  if (keys.length === 0) return [];
  const rows = await q.query<StoredRow>(
    `SELECT ${storedColumns('r')}, false AS deleted FROM resource r
     JOIN unnest($1::text[], $2::text[]) AS k(type, id) ON r.resource_type = k.type AND r.id = k.id
     WHERE NOT r.deleted ORDER BY r.resource_type, r.id`,
    [keys.map(([t]) => t), keys.map(([, i]) => i)],
  );
  return rows.map((row) => fromRow(row));
}
