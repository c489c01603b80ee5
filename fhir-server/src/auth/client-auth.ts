import type { Request } from 'express';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Queryable } from '../repository/db.js';
import { findClient, type Client } from './accounts.js';
import { OAuthError } from './oauth-errors.js';
import { verifyPassword } from './passwords.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART Backend Services: RS384 and ES384. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384'];
/** Longest life of a client assertion, judged by its `exp` (SMART Backend Services: no more than five minutes). */
const MAX_ASSERTION_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 10;

export interface AuthenticatedClient {
  client: Client;
  method: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
}

const invalidClient = (zh: string, en: string) => new OAuthError('invalid_client', zh, en, 401);

/** JWKS fetched by URL, one cache per URL (jose refetches on an unknown kid, and at most every 30 s). */
const remoteSets = new Map<string, JWTVerifyGetKey>();

export function keySet(client: Client): JWTVerifyGetKey {
  if (client.jwks) return createLocalJWKSet(client.jwks);
  const url = client.jwksUrl as string;
  let set = remoteSets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    remoteSets.set(url, set);
  }
  return set;
}

/**
 * Who is calling the token, introspection or revocation endpoint (RFC 6749 2.3, RFC 7523, SMART
 * Backend Services): a signed client assertion, a client secret (HTTP Basic or form), or a public
 * client naming itself. `tokenUrl` is the assertion's required audience.
 */
export async function authenticateClient(q: Queryable, req: Request, form: Record<string, string>, tokenUrl: string): Promise<AuthenticatedClient> {
  if (form.client_assertion_type !== undefined || form.client_assertion !== undefined) return assertion(q, form, tokenUrl);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.get('authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient('HTTP Basic 凭据格式错误', 'Malformed HTTP Basic credentials');
    return secret(q, decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1)), 'client_secret_basic');
  }
  if (form.client_secret !== undefined) return secret(q, form.client_id ?? '', form.client_secret, 'client_secret_post');
  const client = form.client_id ? await findClient(q, form.client_id) : undefined;
  if (!client?.enabled) throw invalidClient('未知或已停用的客户端', 'Unknown or disabled client');
  if (client.type !== 'public') throw invalidClient('此客户端必须认证（客户端密钥或签名断言）', 'This client must authenticate (client secret or signed assertion)');
  return { client, method: 'none' };
}

async function secret(q: Queryable, clientId: string, given: string, method: 'client_secret_basic' | 'client_secret_post'): Promise<AuthenticatedClient> {
  const client = await findClient(q, clientId);
  if (!client?.enabled || !client.secretHash || !(await verifyPassword(given, client.secretHash))) throw invalidClient('客户端认证失败', 'Client authentication failed');
  return { client, method };
}

async function assertion(q: Queryable, form: Record<string, string>, tokenUrl: string): Promise<AuthenticatedClient> {
  if (form.client_assertion_type !== JWT_BEARER) throw new OAuthError('invalid_request', `client_assertion_type 必须是 ${JWT_BEARER}`, `client_assertion_type must be ${JWT_BEARER}`);
  const jwt = form.client_assertion ?? '';
  let claims;
  try {
    claims = decodeJwt(jwt);
  } catch {
    throw invalidClient('client_assertion 不是 JWT', 'client_assertion is not a JWT');
  }
  const clientId = typeof claims.iss === 'string' ? claims.iss : '';
  const client = await findClient(q, clientId);
  if (!client?.enabled) throw invalidClient('断言的签发者（iss）不是已注册且启用的客户端', 'The assertion issuer (iss) is not a registered, enabled client');
  if (form.client_id !== undefined && form.client_id !== clientId) throw invalidClient('client_id 与断言的 iss 不一致', 'client_id differs from the assertion iss');
  if (!client.jwks && !client.jwksUrl) throw invalidClient('此客户端未注册公钥（jwks 或 jwks_url）', 'This client has no registered public keys (jwks or jwks_url)');
  let verified;
  try {
    verified = await jwtVerify(jwt, keySet(client), {
      algorithms: ASSERTION_ALGORITHMS,
      issuer: clientId,
      subject: clientId,
      audience: tokenUrl,
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_SKEW_SECONDS,
    });
  } catch (e) {
    const why = (e as Error).message;
    throw invalidClient(`客户端断言验证失败：${why}`, `Client assertion verification failed: ${why}`);
  }
  const { exp, jti } = verified.payload as { exp: number; jti: unknown };
  const now = Math.floor(Date.now() / 1000);
  if (exp - now > MAX_ASSERTION_SECONDS + CLOCK_SKEW_SECONDS) throw invalidClient('客户端断言有效期超过 5 分钟（exp 太晚）', 'The client assertion lives longer than 5 minutes (exp too far ahead)');
  if (typeof jti !== 'string' || jti === '' || jti.length > 255) throw invalidClient('断言的 jti 必须是非空字符串', 'The assertion jti must be a non-empty string');
  const fresh = await q.query(
    `INSERT INTO auth_used_jti (client_id, jti, expires_at) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT (client_id, jti) DO NOTHING RETURNING jti`,
    [clientId, jti, exp + CLOCK_SKEW_SECONDS],
  );
  if (fresh.length === 0) throw invalidClient('断言的 jti 已使用过（重放）', 'The assertion jti has been used before (replay)');
  return { client, method: 'private_key_jwt' };
}
