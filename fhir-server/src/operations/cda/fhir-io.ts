import { toPlain } from '../../http/serialize.js';
import type { Queryable } from '../../repository/db.js';
import { dispatch } from '../../router/router.js';
import { RawContent, type Context, type FhirRequest } from '../../router/types.js';

type Json = Record<string, unknown>;

/** A read or search run exactly as a client's, on the caller's connection; the body as plain JSON. */
export async function get(ctx: Context, q: Queryable, outer: FhirRequest, path: string, query: [string, string][] = []): Promise<Json> {
  const res = await dispatch(ctx, q, { method: 'GET', path, query, prefer: {}, baseUrl: outer.baseUrl, principal: outer.principal });
  if (!res.body || res.body instanceof RawContent) return {};
  return toPlain(res.body) as unknown as Json;
}

/** Every match of a search, following its pages; no total, which nothing here reads and a sorted search counts in a statement of its own. */
export async function searchAll(ctx: Context, q: Queryable, outer: FhirRequest, type: string, query: [string, string][]): Promise<Json[]> {
  const out: Json[] = [];
  let bundle = await get(ctx, q, outer, type, [...query, ['_count', '500'], ['_total', 'none']]);
  for (let pages = 0; pages < 20; pages++) {
    for (const e of (bundle.entry as Json[] | undefined) ?? []) {
      const r = e.resource as Json | undefined;
      if (r && (e.search as Json | undefined)?.mode !== 'include') out.push(r);
    }
    const next = ((bundle.link as Json[] | undefined) ?? []).find((l) => l.relation === 'next')?.url as string | undefined;
    if (!next) break;
    const url = new URL(next);
    bundle = await get(ctx, q, outer, url.pathname.slice(url.pathname.indexOf('/fhir/') + 6), [...url.searchParams]);
  }
  return out;
}

function referencesIn(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string' && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(v)) out.add(v);
      else referencesIn(v, out);
    }
  }
}

/**
 * The resources a document draws on: what `start` references, and what those reference
 * (encounter → locations → organisations, roles → practitioners), read once each.
 */
export async function closure(ctx: Context, q: Queryable, outer: FhirRequest, start: Json, known: Json[] = [], limit = 5000): Promise<Map<string, Json>> {
  const found = new Map<string, Json>(known.map((r) => [`${String(r.resourceType)}/${String(r.id)}`, r]));
  let pending = new Set<string>();
  referencesIn(start, pending);
  for (const r of known) referencesIn(r, pending);
  while (pending.size && found.size < limit) {
    const next = new Set<string>();
    for (const ref of pending) {
      if (found.has(ref)) continue;
      const r = await get(ctx, q, outer, ref).catch(() => undefined);
      if (!r?.resourceType || r.resourceType === 'OperationOutcome') continue;
      found.set(ref, r);
      referencesIn(r, next);
    }
    pending = next;
  }
  return found;
}

