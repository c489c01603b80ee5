import { isUnrestricted, type Principal } from '../auth/principal.js';
import { pseudonymKey } from '../mpi/pseudonym.js';
import { RawContent, type Context, type FhirResponse } from '../router/types.js';
import { maskBody, maskingOf, maskResource } from './masking.js';

/** The reply as the principal may see it (脱敏), applied where every FHIR reply leaves the server. */
export async function maskedReply(ctx: Context, principal: Principal, result: FhirResponse): Promise<FhirResponse> {
  if (isUnrestricted(principal) || result.body === undefined || result.body instanceof RawContent) return result;
  const masking = maskingOf(principal);
  if (masking === 'full') return result;
  const key = masking === 'pseudonym' ? await pseudonymKey(ctx.db, ctx.config.pseudonymKey) : undefined;
  return { ...result, body: maskBody(result.body, masking, principal, key) };
}

/**
 * Resources a non-FHIR rendering (a CDA document) is made from, as the principal may see them:
 * the same rule as every FHIR reply (`maskResource`), so a document shows no more than the JSON.
 * Undefined when nothing is masked for this principal.
 */
export async function maskedSources<T extends Record<string, unknown>>(ctx: Context, principal: Principal, resources: ReadonlyMap<string, T>): Promise<Map<string, T> | undefined> {
  if (isUnrestricted(principal)) return undefined;
  const masking = maskingOf(principal);
  if (masking === 'full') return undefined;
  const key = masking === 'pseudonym' ? await pseudonymKey(ctx.db, ctx.config.pseudonymKey) : undefined;
  return new Map([...resources].map(([ref, r]) => [ref, maskResource(r, masking, principal, key) as T]));
}
