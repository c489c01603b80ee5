import type { BundleLink, Resource } from '@medplum/fhirtypes';
import { narrowSearch } from '../access/search.js';
import { typesButAuditTrail, withoutAuditTrail } from '../audit/trail.js';
import { onlyVisible } from '../access/visible.js';
import { FhirError, type IssueInput } from '../errors/fhir-error.js';
import { toOperationOutcome } from '../errors/outcome.js';
import type { StoredVersion } from '../repository/stored.js';
import { compartmentParams, compartmentTypes } from '../search/compartments.js';
import { encodeCursor, type Cursor } from '../search/cursor.js';
import { executeSearch } from '../search/execute.js';
import { findIncluded, type Included } from '../search/include.js';
import { assertSearchableType, parseSearch, TERMINOLOGY_MODIFIERS, type Filter, type ParsedSearch } from '../search/parse.js';
import { terminologyFor } from '../operations/terminology/service.js';
import { subsetResource } from '../search/subset.js';
import { fullUrl, nonEmpty, storedBody, type OutBundle, type OutEntry } from './bundle-builder.js';
import type { Context, FhirRequest, FhirResponse, Interaction, ParsedPath } from './types.js';
import type { Queryable } from '../repository/db.js';
import { RawJson } from './types.js';

export const search: Interaction = async (ctx, q, req, path) => {
  if (path.type) assertSearchableType(path.type);
  // Only a form body carries search parameters (it arrives in req.query); any other body would be ignored and widen the search.
  if (req.body !== undefined) throw new FhirError('search.post-body', { type: req.contentType ?? '-' });
  const terminology = req.query.some(([name]) => TERMINOLOGY_MODIFIERS.has(name.split(':').at(-1) ?? '')) ? await terminologyFor(ctx, q) : undefined;
  const parsed = parseSearch(path.type, req.query, { lenient: req.prefer.handling === 'lenient', baseUrl: req.baseUrl, ...(terminology ? { terminology } : {}) });
  if (path.compartment) parsed.filters.push(...compartmentFilters(path));
  if (!path.type && !parsed.filters.some((f) => f.kind === 'type')) parsed.filters.push({ kind: 'type', types: typesButAuditTrail() });
  const url = `${req.baseUrl}/${path.compartment ? `${path.compartment.type}/${path.compartment.id}/${path.type ?? '*'}` : (path.type ?? '')}`.replace(/\/$/, '');
  return searchsetResponse(ctx, q, req, url, parsed, (matches) => findIncluded(q, parsed, matches));
};

/** Runs a parsed search and answers with its searchset page; `include` finds the page's extra entries. */
export async function searchsetResponse(
  ctx: Context,
  q: Queryable,
  req: FhirRequest,
  url: string,
  parsed: ParsedSearch,
  include: (matches: StoredVersion[]) => Promise<Included>,
): Promise<FhirResponse> {
  narrowSearch(req.principal, ctx.config, parsed);
  const { matches, total, next } = await executeSearch(q, parsed);
  const { resources, notes: includeNotes } = await include(matches);
  const included = await onlyVisible(q, req.principal, ctx.config, resources);
  const entries: OutEntry[] = [
    ...matches.map((m) => entry(req.baseUrl, m, 'match', parsed)),
    ...included.map((m) => entry(req.baseUrl, m, 'include', parsed)),
  ];
  const notes = [
    // A parameter a `_type` search tried on each type is named once.
    ...[...new Set(parsed.ignored)].map((p): IssueInput => ({ messageId: 'search.param-ignored', params: { param: p }, severity: 'warning', expression: p.split('=')[0] as string })),
    ...includeNotes,
  ];
  if (notes.length) entries.push({ resource: toOperationOutcome(notes), search: { mode: 'outcome' } });
  const bundle: OutBundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total !== undefined ? { total } : {}),
    link: links(url, parsed, next),
    ...nonEmpty('entry', entries),
  };
  return { status: 200, body: bundle as unknown as Resource };
}

/** The search of `Patient/123/Observation`: the type's compartment parameters must point at Patient/123. */
function compartmentFilters(path: ParsedPath): Filter[] {
  const { type, id } = path.compartment as { type: string; id: string };
  const memberTypes = compartmentTypes(type);
  if (memberTypes.length === 0) throw new FhirError('search.compartment-unknown', { type: path.type ?? '*', compartment: type });
  if (path.type) {
    const params = compartmentParams(type, path.type) ?? [];
    if (params.length === 0) throw new FhirError('search.compartment-unknown', { type: path.type, compartment: type });
    return [{ kind: 'compartment', params, type, id, self: false }];
  }
  const params = [...new Set(memberTypes.flatMap((t) => compartmentParams(type, t) ?? []))];
  return [
    { kind: 'type', types: withoutAuditTrail(memberTypes) },
    { kind: 'compartment', params, type, id, self: true },
  ];
}

function entry(baseUrl: string, stored: StoredVersion, mode: 'match' | 'include', parsed: ParsedSearch): OutEntry {
  const subsetting = (parsed.summary && parsed.summary !== 'count' && parsed.summary !== 'false') || parsed.elements;
  const resource =
    subsetting && stored.json
      ? new RawJson(
          JSON.stringify(
            subsetResource(JSON.parse(stored.json) as Record<string, unknown>, {
              ...(parsed.summary && parsed.summary !== 'count' ? { summary: parsed.summary } : {}),
              ...(parsed.elements ? { elements: parsed.elements } : {}),
            }),
          ),
        )
      : storedBody(stored);
  return { fullUrl: fullUrl(baseUrl, stored), resource, search: { mode } };
}

/** `self` shows what was applied (ignored parameters left out); `next` carries the cursor. */
function links(url: string, parsed: ParsedSearch, next: Cursor | undefined): BundleLink[] {
  const withParams = (extra: [string, string][]) => {
    const query = new URLSearchParams([...parsed.applied, ...extra]).toString();
    return query ? `${url}?${query}` : url;
  };
  const result: BundleLink[] = [{ relation: 'self', url: withParams(parsed.cursor ? [['_cursor', encodeCursor(parsed.cursor)]] : []) }];
  if (parsed.summary === 'count') return result;
  if (parsed.cursor) result.push({ relation: 'first', url: withParams([]) });
  if (next) result.push({ relation: 'next', url: withParams([['_cursor', encodeCursor(next)]]) });
  return result;
}
