import type { BundleLink, Resource } from '@medplum/fhirtypes';
import { narrowSearch } from '../access/search.js';
import { typesButAuditTrail, withoutAuditTrail } from '../audit/trail.js';
import { onlyVisible } from '../access/visible.js';
import { FhirError } from '../errors/fhir-error.js';
import { informational } from '../errors/outcome.js';
import type { StoredVersion } from '../repository/stored.js';
import { compartmentParams, compartmentTypes } from '../search/compartments.js';
import { encodeCursor, type Cursor } from '../search/cursor.js';
import { executeSearch } from '../search/execute.js';
import { findIncluded } from '../search/include.js';
import { assertSearchableType, parseSearch, type Filter, type ParsedSearch } from '../search/parse.js';
import { subsetResource } from '../search/subset.js';
import { fullUrl, storedBody, type OutBundle, type OutEntry } from './bundle-builder.js';
import type { Context, FhirRequest, FhirResponse, Interaction, ParsedPath } from './types.js';
import type { Queryable } from '../repository/db.js';
import { RawJson } from './types.js';

export const search: Interaction = async (ctx, q, req, path) => {
  if (path.type) assertSearchableType(path.type);
  const parsed = parseSearch(path.type, req.query, { lenient: req.prefer.handling === 'lenient', baseUrl: req.baseUrl });
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
  include: (matches: StoredVersion[]) => Promise<StoredVersion[]>,
): Promise<FhirResponse> {
  narrowSearch(req.principal, ctx.config, parsed);
  const { matches, total, next } = await executeSearch(q, parsed);
  const included = await onlyVisible(q, req.principal, ctx.config, await include(matches));
  const entries: OutEntry[] = [
    ...matches.map((m) => entry(req.baseUrl, m, 'match', parsed)),
    ...included.map((m) => entry(req.baseUrl, m, 'include', parsed)),
  ];
  if (parsed.ignored.length) {
    entries.push({
      resource: informational(`已忽略不支持的参数 | Ignored unsupported parameters: ${parsed.ignored.join(', ')}`, 'not-supported'),
      search: { mode: 'outcome' },
    });
  }
  const bundle: OutBundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total !== undefined ? { total } : {}),
    link: links(url, parsed, next),
    entry: entries,
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
