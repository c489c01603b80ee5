import { jwtVerify } from 'jose';
import { findClient } from '../auth/accounts.js';
import { ASSERTION_ALGORITHMS, keySet } from '../auth/client-auth.js';
import { DEVELOPMENT_PRINCIPAL, type Principal } from '../auth/principal.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Context } from '../router/types.js';

const MAX_LIFETIME_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 10;

/**
 * Who is calling a CDS service. The CDS Hooks spec has the client (the EHR) send a JWT it signed
 * itself: `iss` its client id here, `aud` the service's URL, `exp` within five minutes, a `jti`
 * used once. It is verified against the keys the client registered with the authorisation
 * server (the same JWKS as its client assertions), and the service then reads with the client's
 * principal — its roles, scopes and organisation —, so access rules and audit see it. With
 * authorisation off every caller is the development principal, JWT or not.
 */
export async function cdsPrincipal(ctx: Context, authorization: string | undefined, serviceUrl: string): Promise<Principal> {
  if (ctx.config.auth === 'off') return DEVELOPMENT_PRINCIPAL;
  const jwt = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!jwt) throw new FhirError('auth.token-missing');
  const fail = (detail: string) => new FhirError('cds.jwt-invalid', { detail });
  let iss: unknown;
  try {
    iss = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')).iss;
  } catch {
    throw fail('不是 JWT | not a JWT');
  }
  const client = typeof iss === 'string' ? await findClient(ctx.db, iss) : undefined;
  if (!client?.enabled || (!client.jwks && !client.jwksUrl)) throw fail('iss 不是已注册公钥的启用客户端 | iss is not an enabled client with registered keys');
  let payload;
  try {
    ({ payload } = await jwtVerify(jwt, keySet(client), { algorithms: ASSERTION_ALGORITHMS, issuer: client.clientId, audience: serviceUrl, requiredClaims: ['exp', 'jti'], clockTolerance: CLOCK_SKEW_SECONDS }));
  } catch (e) {
    throw fail((e as Error).message);
  }
  const { exp, jti } = payload as { exp: number; jti: unknown };
  if (exp - Date.now() / 1000 > MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) throw fail('exp 超过 5 分钟 | exp is more than five minutes ahead');
  if (typeof jti !== 'string' || !jti || jti.length > 255) throw fail('缺少 jti | jti is missing');
  const fresh = await ctx.db.query(
    'INSERT INTO auth_used_jti (client_id, jti, expires_at) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT (client_id, jti) DO NOTHING RETURNING jti',
    [client.clientId, `cds:${jti}`, exp + CLOCK_SKEW_SECONDS],
  );
  if (fresh.length === 0) throw fail('jti 已使用过（重放） | jti was used before (replay)');
  return {
    kind: 'backend',
    clientId: client.clientId,
    roles: client.roles,
    scopes: client.scopes.split(/\s+/).filter(Boolean),
    ...(client.organisation ? { organisation: client.organisation } : {}),
  };
}
