import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import { toPlain } from '../../http/serialize.js';
import type { Queryable } from '../../repository/db.js';
import { dispatch } from '../../router/router.js';
import { RawContent, type Context, type FhirRequest, type FhirResponse } from '../../router/types.js';

type Json = Record<string, unknown>;

/** A parameter of the call, from the query or a Parameters body (valueCode, valueString, valueReference, valueDateTime…). */
export function param(req: FhirRequest, name: string): string | undefined {
  const fromQuery = req.query.find(([n]) => n === name)?.[1];
  if (fromQuery !== undefined) return fromQuery;
  const body = req.body as Json | undefined;
  if (body?.resourceType !== 'Parameters') return undefined;
  const p = ((body.parameter as Json[] | undefined) ?? []).find((x) => x.name === name);
  if (!p) return undefined;
  const value = Object.entries(p).find(([k]) => k.startsWith('value'))?.[1];
  if (value && typeof value === 'object') return (value as Json).reference as string | undefined;
  return value === undefined ? undefined : String(value);
}

export function referenceParam(req: FhirRequest, name: string, type: string): string | undefined {
  const value = param(req, name);
  if (value === undefined) return undefined;
  if (!new RegExp(`^${type}/[A-Za-z0-9\\-.]{1,64}$`).test(value)) {
    throw new FhirError('referral.parameter-invalid', { name, zh: `应为 ${type}/{id}：${value}`, en: `expected ${type}/{id}: ${value}` }, `Parameters.parameter.${name}`);
  }
  return value;
}

/**
 * One interaction made exactly as the caller's own (same principal, same checks, same transaction
 * `q`); the stored resource back as plain JSON.
 */
export async function run<T = Json>(ctx: Context, q: Queryable, outer: FhirRequest, method: FhirRequest['method'], path: string, body?: Resource, ifMatch?: string): Promise<{ res: FhirResponse; resource: T }> {
  const res = await dispatch(ctx, q, {
    method,
    path,
    query: [],
    ...(body ? { body } : {}),
    ...(ifMatch ? { ifMatch } : {}),
    prefer: { return: 'representation' },
    baseUrl: outer.baseUrl,
    principal: outer.principal,
  });
  const resource = (res.body && !(res.body instanceof RawContent) ? toPlain(res.body) : {}) as unknown as T;
  return { res, resource };
}

/** The If-Match value that makes a read-modify-write fail when someone else wrote in between. */
export const etag = (resource: { meta?: { versionId?: string } }): string => `W/"${resource.meta?.versionId ?? ''}"`;
