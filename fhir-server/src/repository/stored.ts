import { openStored } from './sealed-fields.js';

/** One version of a resource as stored: the JSON text is kept so reads can serve it untouched. */
export interface StoredVersion {
  resourceType: string;
  id: string;
  versionId: string;
  /** FHIR instant, e.g. `2026-11-22T03:30:00.123Z`. */
  lastUpdated: string;
  deleted: boolean;
  /** The resource as JSON text (meta included); null for a deletion. */
  json: string | null;
  /** For history entries: the interaction that produced this version. */
  method?: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
}

export interface StoredRow {
  resource_type: string;
  id: string;
  version_id: string;
  ts: number;
  deleted: boolean;
  content: string | null;
  method?: string;
}

/** Columns that every query returning StoredRow selects; the timestamp as epoch milliseconds so both drivers agree. */
export function storedColumns(alias?: string): string {
  const a = alias ? `${alias}.` : '';
  return `${a}resource_type, ${a}id, ${a}version_id::text AS version_id,
    (extract(epoch from ${a}last_updated) * 1000)::float8 AS ts, ${a}content`;
}

export function fromRow(row: StoredRow, deleted = row.deleted): StoredVersion {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: new Date(Math.round(row.ts)).toISOString(),
    deleted,
    // Every read of stored JSON comes through here: sealed fields are opened once, on the text.
    json: row.content === null ? null : openStored(row.content, row.resource_type, row.id),
    ...(row.method ? { method: row.method as StoredVersion['method'] } : {}),
  };
}
