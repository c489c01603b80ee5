import type { Queryable } from '../repository/db.js';
import { sqlParams, type SqlParams } from '../repository/sql-params.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import { referenceParamsSql } from './derived-references.js';
import type { IncludeSpec, ParsedSearch } from './parse.js';
import type { IssueInput } from '../errors/fhir-error.js';
import { AUDIT_TRAIL_TYPE } from '../audit/trail.js';

/** Beyond this many included resources a page stops including; the links still let a client go on. */
export const MAX_INCLUDED = 1000;
/** `:iterate` rounds per page: a reference chain longer than this is cut, and the page says so. */
const MAX_ITERATIONS = 16;

/** What a page's includes added, and a warning when `:iterate` stopped before it had followed every reference. */
export interface Included {
  resources: StoredVersion[];
  notes: IssueInput[];
}

/**
 * The resources `_include` and `_revinclude` add to a page, from the reference index. `:iterate`
 * specs are applied again to what the previous round added, until a round adds nothing new (what
 * is already on the page is never fetched again, so reference cycles end). Each round is one
 * statement: the references of every spec, and the resources they lead to.
 */
export async function findIncluded(q: Queryable, search: ParsedSearch, matches: readonly StoredVersion[]): Promise<Included> {
  if (search.includes.length === 0 && search.revincludes.length === 0) return { resources: [], notes: [] };
  const seen: StoredVersion[] = [...matches];
  const included: StoredVersion[] = [];
  let round: readonly StoredVersion[] = matches;
  let iteration = 0;
  for (; round.length > 0 && iteration < MAX_ITERATIONS && included.length < MAX_INCLUDED; iteration++) {
    const p = sqlParams();
    const keys = [
      ...search.includes.filter((s) => iteration === 0 || s.iterate).map((spec) => referencedBy(p, spec, round)),
      ...search.revincludes.filter((s) => iteration === 0 || s.iterate).map((spec) => referencing(p, spec, round)),
    ].filter((sql): sql is string => sql !== undefined);
    if (keys.length === 0) break;
    const fetched = await fetchKeyed(q, p, keys, seen, MAX_INCLUDED - included.length);
    seen.push(...fetched);
    included.push(...fetched);
    round = fetched;
  }
  const notes: IssueInput[] = [];
  if (included.length >= MAX_INCLUDED) notes.push({ messageId: 'search.include-truncated', params: { limit: MAX_INCLUDED }, severity: 'warning' });
  else if (round.length > 0 && iteration === MAX_ITERATIONS) notes.push({ messageId: 'search.iterate-truncated', params: { rounds: MAX_ITERATIONS }, severity: 'warning' });
  return { resources: included, notes };
}

/** Resources that the given ones reference (one level), except those in `exclude`: what `$everything` adds. */
export async function referencedFrom(q: Queryable, from: readonly StoredVersion[], exclude: readonly StoredVersion[]): Promise<StoredVersion[]> {
  if (from.length === 0) return [];
  const p = sqlParams();
  const keys = `SELECT x.target_type, x.target_id FROM search_reference x
     JOIN unnest(${p.add(from.map((r) => r.resourceType))}::text[], ${p.add(from.map((r) => r.id))}::text[]) AS k(type, id) ON x.resource_type = k.type AND x.id = k.id
     WHERE x.target_type IS NOT NULL`;
  return fetchKeyed(q, p, [keys], [...from, ...exclude], MAX_INCLUDED);
}

/** The targets of `spec.params` references held by the resources of `spec.sourceType` in `from`, as SQL; undefined when none is of that type. */
function referencedBy(p: SqlParams, spec: IncludeSpec, from: readonly StoredVersion[]): string | undefined {
  const ids = from.filter((r) => r.resourceType === spec.sourceType).map((r) => r.id);
  if (ids.length === 0) return undefined;
  return `SELECT x.target_type, x.target_id FROM search_reference x
     WHERE x.resource_type = ${p.add(spec.sourceType)} AND x.id = ANY(${p.add(ids)}::text[]) AND ${referenceParamsSql('x', spec.sourceType, spec.params, p.add)}
     AND x.target_type IS NOT NULL ${spec.targetType ? `AND x.target_type = ${p.add(spec.targetType)}` : ''}`;
}

/** The resources of `spec.sourceType` whose `spec.params` references point at resources in `from`, as SQL; undefined when none can. */
function referencing(p: SqlParams, spec: IncludeSpec, from: readonly StoredVersion[]): string | undefined {
  const targets = spec.targetType ? from.filter((r) => r.resourceType === spec.targetType) : from;
  if (targets.length === 0) return undefined;
  // `_revinclude=*`: whatever references them, by any parameter — but the audit trail, which is reached by name only.
  const sources =
    spec.sourceType === '*'
      ? `x.resource_type <> ${p.add(AUDIT_TRAIL_TYPE)}`
      : `x.resource_type = ${p.add(spec.sourceType)} AND ${referenceParamsSql('x', spec.sourceType, spec.params, p.add)}`;
  return `SELECT x.resource_type, x.id FROM search_reference x
     JOIN unnest(${p.add(targets.map((r) => r.resourceType))}::text[], ${p.add(targets.map((r) => r.id))}::text[]) AS t(type, id) ON x.target_type = t.type AND x.target_id = t.id
     WHERE ${sources}`;
}

/**
 * The live resources the `keys` statements (type, id) name, but for those in `skip`, at most
 * `limit` of them, by type and id.
 */
async function fetchKeyed(q: Queryable, p: SqlParams, keys: readonly string[], skip: readonly StoredVersion[], limit: number): Promise<StoredVersion[]> {
  const rows = await q.query<StoredRow>(
    `SELECT ${storedColumns('r')}, false AS deleted FROM resource r
     WHERE (r.resource_type, r.id) IN (${keys.join(' UNION ALL ')}) AND NOT r.deleted
       AND NOT EXISTS (SELECT 1 FROM unnest(${p.add(skip.map((r) => r.resourceType))}::text[], ${p.add(skip.map((r) => r.id))}::text[]) AS s(type, id)
         WHERE s.type = r.resource_type AND s.id = r.id)
     ORDER BY r.resource_type, r.id LIMIT ${p.add(limit)}`,
    p.values,
  );
  return rows.map((row) => fromRow(row));
}
