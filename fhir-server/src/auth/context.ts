import type { Resource } from '@medplum/fhirtypes';
import type { Logger } from '../http/logger.js';
import { toJsonText } from '../http/serialize.js';
import { handle } from '../router/router.js';
import { RawContent, type Context, type FhirRequest } from '../router/types.js';
import type { SigningKey } from './signing-keys.js';
import type { JWK } from 'jose';

/** What the authorisation server's handlers share. */
export interface AuthServer {
  ctx: Context;
  logger: Logger;
  /** The id_token signing key and the published JWKS, loaded (or generated) once and re-read every minute (or now, with `reload`: after a rotation). */
  keys(reload?: boolean): Promise<{ current: SigningKey; jwks: { keys: JWK[] } }>;
}

/** Runs a FHIR interaction for the authorisation server (as `principal`) and returns status and parsed body. */
export async function fhir(ctx: Context, req: Omit<FhirRequest, 'prefer' | 'query'> & Partial<Pick<FhirRequest, 'query'>>): Promise<{ status: number; body: Resource | undefined }> {
  const res = await handle(ctx, { query: [], prefer: {}, ...req });
  const body = res.body === undefined || res.body instanceof RawContent ? undefined : (JSON.parse(toJsonText(res.body, false)) as Resource);
  return { status: res.status, body };
}

