import type { Queryable } from '../repository/db.js';
import type { ResourceChange } from '../repository/changes.js';

interface HistoryRow {
  resource_type: string;
  id: string;
  version_id: string;
  last_updated: string;
  method: string;
  content: string | null;
}

/**
 * Committed versions of the given types (and of Subscription) since `since`, oldest first, as
 * change-feed entries: what the engine re-matches at start in case the process died between a
 * commit and its matching.
 */
export async function changesSince(q: Queryable, since: string, types: string[]): Promise<ResourceChange[]> {
  const rows = await q.query<HistoryRow>(
    `SELECT resource_type, id, version_id::text, to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_updated, method, content
     FROM resource_history WHERE last_updated >= $1::timestamptz AND resource_type = ANY($2::text[]) ORDER BY last_updated, resource_type, id, version_id`,
    [since, [...types, 'Subscription']],
  );
  return rows.map((r) => ({
    action: r.content === null ? 'delete' : r.version_id === '1' ? 'create' : 'update',
    resourceType: r.resource_type,
    id: r.id,
    versionId: r.version_id,
    lastUpdated: r.last_updated,
    json: r.content,
  }));
}
