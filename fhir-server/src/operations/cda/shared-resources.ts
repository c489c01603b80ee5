import type { Queryable } from '../../repository/db.js';
import { fullUrl } from '../../router/bundle-builder.js';
import { criteriaParams } from '../../router/conditional.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { get } from './fhir-io.js';

type Json = Record<string, unknown>;

/**
 * The people and places a document names besides its patient. After a hospital's first import
 * they exist: its custodian, its doctors and their roles, its wards.
 */
const SHARED_TYPES = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location']);

/** A conditional create of the transaction that found its resource before the transaction ran. */
interface Resolved {
  index: number;
  urn: string;
  resource: Json;
}

/**
 * Looks up, before the import's transaction and with the caller's rights, the shared resources
 * the document's conditional creates name, and takes those that exist out of the transaction:
 * references to them point at the stored resource instead. The transaction locks the criteria of
 * every conditional create until it commits, so without this two imports from the same hospital
 * wait for each other on the same custodian and doctors; with it, only what is new is locked.
 * Whatever is not found, or found more than once, stays a conditional create and is decided in
 * the transaction exactly as before. Returns what `restore` needs to put the taken-out entries
 * back into the transaction response, so the reply has one entry per resource as before.
 */
export async function resolveSharedResources(ctx: Context, q: Queryable, req: FhirRequest, entries: Json[]): Promise<Resolved[]> {
  const candidates = entries.flatMap((entry, index) => {
    const resource = entry.resource as Json;
    const request = entry.request as Json;
    const type = String(resource.resourceType);
    return request.method === 'POST' && typeof request.ifNoneExist === 'string' && SHARED_TYPES.has(type) && typeof entry.fullUrl === 'string'
      ? [{ index, type, urn: entry.fullUrl, criteria: criteriaParams(request.ifNoneExist) }]
      : [];
  });
  if (candidates.length === 0) return [];
  const found = await Promise.all(candidates.map((c) => get(ctx, q, req, c.type, [...c.criteria, ['_count', '2'], ['_total', 'none']])));
  const resolved: Resolved[] = [];
  candidates.forEach((c, i) => {
    const matches = ((found[i]?.entry as Json[] | undefined) ?? []).filter((e) => (e.search as Json | undefined)?.mode !== 'include');
    const resource = matches[0]?.resource as Json | undefined;
    if (matches.length === 1 && resource && typeof resource.id === 'string') resolved.push({ index: c.index, urn: c.urn, resource });
  });
  if (resolved.length === 0) return [];
  const target = new Map(resolved.map((r) => [r.urn, `${String(r.resource.resourceType)}/${String(r.resource.id)}`]));
  const taken = new Set(resolved.map((r) => r.index));
  const kept = entries.filter((_, index) => !taken.has(index));
  for (const entry of kept) repoint(entry.resource, target);
  entries.splice(0, entries.length, ...kept);
  return resolved;
}

/** The transaction response with an entry for each resource taken out, where its create was. */
export function restoreResolved(response: Json | undefined, resolved: Resolved[], baseUrl: string): void {
  const answered = response?.entry as Json[] | undefined;
  if (!answered || resolved.length === 0) return;
  for (const r of [...resolved].sort((a, b) => a.index - b.index)) {
    const meta = (r.resource.meta as Json | undefined) ?? {};
    const type = String(r.resource.resourceType);
    const id = String(r.resource.id);
    answered.splice(r.index, 0, {
      fullUrl: fullUrl(baseUrl, { resourceType: type, id }),
      resource: r.resource,
      response: {
        status: '200 OK',
        location: `${type}/${id}/_history/${String(meta.versionId ?? '')}`,
        etag: `W/"${String(meta.versionId ?? '')}"`,
        ...(meta.lastUpdated ? { lastModified: meta.lastUpdated } : {}),
      },
    });
  }
}

function repoint(value: unknown, target: Map<string, string>): void {
  if (Array.isArray(value)) {
    for (const v of value) repoint(v, target);
  } else if (value && typeof value === 'object') {
    const obj = value as Json;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (k === 'reference' && typeof v === 'string') obj[k] = target.get(v) ?? v;
      else if (typeof v === 'object') repoint(v, target);
    }
  }
}
