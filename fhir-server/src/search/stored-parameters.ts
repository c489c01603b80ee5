import type { SearchParameter } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import { setStoredSearchParameters } from './search-parameters.js';

/**
 * Activates the SearchParameter resources clients have stored (status `active`, with a code, base,
 * type and expression). Run at start and by `$reindex`, which is how a new or changed parameter
 * reaches resources already written: store it, then `$reindex`.
 */
export async function loadStoredSearchParameters(q: Queryable): Promise<number> {
  const rows = await q.query<{ content: string }>(
    `SELECT content FROM resource WHERE resource_type = 'SearchParameter' AND NOT deleted ORDER BY last_updated, id`,
    [],
  );
  const active = rows
    .map((r) => JSON.parse(r.content) as SearchParameter)
    .filter((sp) => sp.status === 'active' && sp.code && sp.base?.length && sp.type && sp.expression);
  setStoredSearchParameters(active);
  return active.length;
}
