/**
 * Reads and writes a workflow makes as part of its own work (the Flag and Communication of a
 * critical value, a delivery Task): run through the router exactly as a client's interaction, in
 * the caller's transaction, as the server itself — the caller's own request has been checked.
 */
import type { Resource } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL, type Principal } from '../../auth/principal.js';
import { toPlain } from '../../http/serialize.js';
import { get, searchAll } from '../../operations/cda/fhir-io.js';
import type { Queryable } from '../../repository/db.js';
import { dispatch } from '../../router/router.js';
import { RawContent, type Context, type FhirRequest } from '../../router/types.js';

/** The request a workflow's own calls are made as: the server, at the caller's base URL. */
export function asServer(baseUrl: string, principal: Principal = SYSTEM_PRINCIPAL): FhirRequest {
  return { method: 'GET', path: '', query: [], prefer: {}, baseUrl, principal };
}

export async function readResource<T extends Resource>(ctx: Context, q: Queryable, outer: FhirRequest, reference: string): Promise<T | undefined> {
  if (!/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(reference)) return undefined;
  const found = await get(ctx, q, outer, reference).catch(() => undefined);
  return found && found.resourceType === reference.split('/')[0] ? (found as unknown as T) : undefined;
}

export async function searchResources<T extends Resource>(ctx: Context, q: Queryable, outer: FhirRequest, type: string, query: [string, string][]): Promise<T[]> {
  return (await searchAll(ctx, q, outer, type, query)) as unknown as T[];
}

/** Creates (no id) or updates (with id) a resource; answers the stored version. */
export async function writeResource<T extends Resource>(ctx: Context, q: Queryable, outer: FhirRequest, resource: T): Promise<T> {
  const req: FhirRequest = resource.id
    ? { ...outer, method: 'PUT', path: `${resource.resourceType}/${resource.id}`, body: resource }
    : { ...outer, method: 'POST', path: resource.resourceType, body: resource };
  const res = await dispatch(ctx, q, req);
  if (!res.body || res.body instanceof RawContent) throw new Error(`no body writing ${resource.resourceType}`);
  return toPlain(res.body) as T;
}

/** `Type/id` of a reference, relative or absolute; undefined for anything else. */
export function localReference(reference: string | undefined, type?: string): string | undefined {
  const m = reference ? /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference) : null;
  if (!m || (type && m[1] !== type)) return undefined;
  return `${m[1]}/${m[2]}`;
}
