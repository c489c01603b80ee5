import type { Parameters } from '@medplum/fhirtypes';
import { loadStoredSearchParameters } from '../../search/stored-parameters.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';

const BATCH = 200;

/**
 * `$reindex`: activates the stored SearchParameters, then rebuilds the search index from the
 * stored resources — after a SearchParameter is added or changed — in short transactions of 200
 * resources, so the server keeps serving writes.
 */
export async function reindex(ctx: Context, _q: unknown, _req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  await loadStoredSearchParameters(ctx.db);
  let after: [string, string] = ['', ''];
  let total = 0;
  for (;;) {
    const batch = await ctx.db.transaction((q) => ctx.repo.reindexBatch(q, path.type, after, BATCH));
    total += batch.count;
    if (!batch.last) break;
    after = batch.last;
  }
  const result: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'resources', valueInteger: total },
      ...(path.type ? [{ name: 'type', valueCode: path.type }] : []),
    ],
  };
  return { status: 200, body: result };
}
