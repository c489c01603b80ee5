import type { CodeChange } from '@qiao/terminology';
import type { Queryable } from '../../repository/db.js';

/**
 * The terminology tables of migration 4 (the code tables' change log, the local codes still
 * waiting for a mapping) and the version check of the stored code tables that keeps the service
 * in step without reading their content again. All SQL of the terminology adapter is here.
 */

export interface StoredRef {
  resource_type: string;
  id: string;
  version_id: string;
}

export async function storedTerminologyVersions(q: Queryable): Promise<StoredRef[]> {
  return q.query<StoredRef>(
    `SELECT resource_type, id, version_id::text AS version_id FROM resource
     WHERE resource_type IN ('CodeSystem', 'ValueSet', 'ConceptMap') AND NOT deleted`,
  );
}

export async function storedContent(q: Queryable, ref: StoredRef): Promise<string | undefined> {
  const [row] = await q.query<{ content: string | null }>('SELECT content FROM resource WHERE resource_type = $1 AND id = $2', [ref.resource_type, ref.id]);
  return row?.content ?? undefined;
}

export async function recordChanges(q: Queryable, changes: CodeChange[], resourceId: string | undefined): Promise<void> {
  for (const c of changes) {
    await q.query(
      `INSERT INTO terminology_change (system, from_version, to_version, code, change, before, after, resource_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [c.system, c.fromVersion ?? null, c.toVersion ?? null, c.code, c.change, c.before ?? null, c.after ?? null, resourceId ?? null],
    );
  }
}

export interface ChangeRow {
  system: string;
  from_version: string | null;
  to_version: string | null;
  code: string;
  change: string;
  before: string | null;
  after: string | null;
  changed_at: string;
}

export async function listChanges(q: Queryable, system: string, limit: number): Promise<ChangeRow[]> {
  return q.query<ChangeRow>(
    `SELECT system, from_version, to_version, code, change, before, after, to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS changed_at
     FROM terminology_change WHERE system = $1 ORDER BY seq DESC LIMIT $2`,
    [system, limit],
  );
}

export async function recordUnmapped(q: Queryable, system: string, code: string, display: string | undefined, example: string): Promise<void> {
  await q.query(
    `INSERT INTO terminology_unmapped (system, code, display, example) VALUES ($1, $2, $3, $4)
     ON CONFLICT (system, code) DO UPDATE SET last_seen = now(), occurrences = terminology_unmapped.occurrences + 1,
       display = COALESCE(EXCLUDED.display, terminology_unmapped.display)`,
    [system, code, display ?? null, example],
  );
}

export interface UnmappedRow {
  system: string;
  code: string;
  display: string | null;
  occurrences: string;
  first_seen: string;
  last_seen: string;
  example: string | null;
}

export async function listUnmapped(q: Queryable, system: string | undefined, limit: number): Promise<UnmappedRow[]> {
  return q.query<UnmappedRow>(
    `SELECT system, code, display, occurrences::text AS occurrences, example,
       to_char(first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first_seen,
       to_char(last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_seen
     FROM terminology_unmapped WHERE ($1::text IS NULL OR system = $1) ORDER BY occurrences DESC, system, code LIMIT $2`,
    [system ?? null, limit],
  );
}
