import { withoutAuditTrail } from '../../audit/trail.js';
import { FhirError } from '../../errors/fhir-error.js';
import { compartmentParams, compartmentTypes } from '../../search/compartments.js';
import { referencedFrom } from '../../search/include.js';
import { parseSearch } from '../../search/parse.js';
import { parseDate } from '../../search/parse-values.js';
import { searchsetResponse } from '../../router/search.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import type { Queryable } from '../../repository/db.js';
import type { StoredVersion } from '../../repository/stored.js';

/** Parameters of `$everything` that page or shape the answer, passed on to the search. */
const PAGING = new Set(['_count', '_cursor', '_elements', '_summary', '_total']);

/**
 * `Patient/{id}/$everything`: the patient, every resource in its compartment (R4 Patient
 * CompartmentDefinition), and what those reference (practitioners, organisations, medications…),
 * paged like a search. `_since` keeps what changed since an instant; `_type` limits the types.
 */
export async function everything(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const id = path.id as string;
  await ctx.repo.read(q, 'Patient', id);
  const parsed = parseSearch(
    undefined,
    req.query.filter(([name]) => PAGING.has(name)),
    { baseUrl: req.baseUrl },
  );
  const members = ['Patient', ...compartmentTypes('Patient')];
  const requested = req.query.filter(([name]) => name === '_type').flatMap(([, v]) => v.split(','));
  const unknown = requested.find((t) => !members.includes(t));
  if (unknown) throw new FhirError('search.compartment-unknown', { type: unknown, compartment: 'Patient' });
  const types = requested.length ? requested : withoutAuditTrail(members);
  const params = [...new Set(types.flatMap((t) => compartmentParams('Patient', t) ?? []))];
  parsed.filters.push({ kind: 'type', types }, { kind: 'compartment', params, type: 'Patient', id, self: true });
  let since: number | undefined;
  for (const [name, value] of req.query) {
    if (name !== '_since') continue;
    const date = parseDate(name, value);
    since = date.range.start;
    parsed.filters.push({ kind: 'lastUpdated', values: [{ ...date, prefix: 'ge' }] });
  }
  parsed.applied.push(...req.query.filter(([name]) => name === '_since' || name === '_type'));
  // What the page references is held to the same _type and _since as the page itself.
  const referenced = async (matches: StoredVersion[]) => ({
    resources: (await referencedFrom(q, matches, [])).filter((r) => (requested.length === 0 || types.includes(r.resourceType)) && (since === undefined || Date.parse(r.lastUpdated) >= since)),
    notes: [],
  });
  return searchsetResponse(ctx, q, req, `${req.baseUrl}/Patient/${id}/$everything`, parsed, referenced);
}
