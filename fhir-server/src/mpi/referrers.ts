import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import { patientIdOf } from './links.js';

/**
 * Records that keep the history of what happened: they must go on naming the record they were
 * written about, so a merge leaves them alone (and AuditEvents are never rewritten anyway).
 */
const HISTORICAL = ['Provenance', 'AuditEvent'];

/**
 * Current resources whose indexed references point at `Patient/{id}`, found through the search
 * index's reference table (stored references are relative, see router/references.ts), locked
 * until the transaction ends and in key order, so concurrent merges touching the same resources
 * queue rather than deadlock. The two patients of the merge are handled by the merge itself.
 */
export async function lockReferrers(q: Queryable, patientId: string, skip: readonly string[]): Promise<StoredVersion[]> {
  const rows = await q.query<StoredRow>(
    `SELECT ${storedColumns('r')}, false AS deleted FROM resource r
     WHERE NOT r.deleted AND (r.resource_type, r.id) IN (
       SELECT s.resource_type, s.id FROM search_reference s
       WHERE s.target_type = 'Patient' AND s.target_id = $1 AND s.resource_type <> ALL($2::text[]))
     AND NOT (r.resource_type = 'Patient' AND r.id = ANY($3::text[]))
     ORDER BY r.resource_type, r.id FOR UPDATE OF r`,
    [patientId, HISTORICAL, [...skip]],
  );
  return rows.map((row) => fromRow(row));
}

/**
 * A copy of `resource` with every `Reference.reference` to `Patient/{fromId}` — anywhere in it,
 * contained resources included, also elements no search parameter indexes — pointing at
 * `Patient/{toId}` instead; undefined when there was none.
 */
export function rewriteReferences(resource: Resource, fromId: string, toId: string): Resource | undefined {
  let changed = false;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (key === 'reference' && typeof member === 'string' && patientIdOf(member) === fromId) {
        out[key] = `Patient/${toId}`;
        changed = true;
      } else out[key] = walk(member);
    }
    return out;
  };
  const copy = walk(resource) as Resource;
  return changed ? copy : undefined;
}
