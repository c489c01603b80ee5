import type { Resource } from '@medplum/fhirtypes';
import { maskedReply } from '../access/reply.js';
import type { Queryable } from '../repository/db.js';
import { dispatch } from '../router/router.js';
import { RawJson, type Context, type FhirRequest } from '../router/types.js';

function parsed(value: unknown): Resource | undefined {
  if (value instanceof RawJson) return JSON.parse(value.text) as Resource;
  return value as Resource | undefined;
}

/**
 * A search made for the caller of an operation, through the router exactly as the caller's own
 * search would run (access filters of its principal), and masked as the caller would see it.
 */
export async function searchAs<T extends Resource>(ctx: Context, q: Queryable, req: FhirRequest, type: T['resourceType'], params: [string, string][]): Promise<T[]> {
  const reply = await maskedReply(ctx, req.principal, await dispatch(ctx, q, { ...req, method: 'GET', path: type, query: [...params, ['_count', '1000']], body: undefined }));
  const bundle = parsed(reply.body) as { entry?: { resource?: unknown; search?: { mode?: string } }[] } | undefined;
  return (bundle?.entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => parsed(e.resource) as T).filter((r): r is T => r?.resourceType === type);
}

/** A read for the caller (404 when out of its reach), masked as the caller would see it. */
export async function readAs<T extends Resource>(ctx: Context, q: Queryable, req: FhirRequest, type: T['resourceType'], id: string): Promise<T> {
  const reply = await maskedReply(ctx, req.principal, await dispatch(ctx, q, { ...req, method: 'GET', path: `${type}/${id}`, query: [], body: undefined }));
  return parsed(reply.body) as T;
}
