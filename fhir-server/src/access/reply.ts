import { isUnrestricted, type Principal } from '../auth/principal.js';
import { pseudonymKey } from '../mpi/pseudonym.js';
import { RawContent, type Context, type FhirResponse } from '../router/types.js';
import { maskBody, maskingOf } from './masking.js';

/** The reply as the principal may see it (脱敏), applied where every FHIR reply leaves the server. */
export async function maskedReply(ctx: Context, principal: Principal, result: FhirResponse): Promise<FhirResponse> {
  if (isUnrestricted(principal) || result.body === undefined || result.body instanceof RawContent) return result;
  const masking = maskingOf(principal);
  if (masking === 'full') return result;
  const key = masking === 'pseudonym' ? await pseudonymKey(ctx.db, ctx.config.pseudonymKey) : undefined;
  return { ...result, body: maskBody(result.body, masking, principal, key) };
}
