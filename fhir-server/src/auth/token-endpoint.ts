import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { SignJWT } from 'jose';
import type { Queryable } from '../repository/db.js';
import { findUser } from './accounts.js';
import { paramsOf } from './authorize.js';
import { authenticateClient, type AuthenticatedClient } from './client-auth.js';
import type { AuthServer } from './context.js';
import { OAuthError, sendNoStore, sendOAuthError } from './oauth-errors.js';
import { isNarrowing, parseScopes } from './scopes.js';
import { auditedChange, recordAuthEvent } from './security-events.js';
import { issueToken, liveToken, revokeFromCode, revokeToken, sha256, type Grant, type StoredToken } from './tokens.js';
import { authUrl, fhirBaseOf } from './urls.js';

/** Wraps a handler of the token, introspection or revocation endpoint: OAuth errors become RFC 6749 replies. */
export function oauthEndpoint(kind: 'token-issued' | 'token-revoked' | 'access-denied', handler: (server: AuthServer, req: Request, res: Response) => Promise<void>) {
  return (server: AuthServer) => async (req: Request, res: Response) => {
    try {
      await handler(server, req, res);
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      // A refused client or grant is a failed authentication: anomalous access must be visible.
      const clientId = paramsOf(req).client_id;
      await recordAuthEvent(server, req, res, { kind, outcome: 'failure', detail: e.description, ...(clientId ? { clientId } : {}) });
      sendOAuthError(res, e);
    }
  };
}

const invalidGrant = (zh: string, en: string) => new OAuthError('invalid_grant', zh, en);

/** POST /auth/token: authorization_code, refresh_token and client_credentials. */
export const token = oauthEndpoint('token-issued', async (server, req, res) => {
  const form = paramsOf(req);
  const db = server.ctx.db;
  const caller = await authenticateClient(db, req, form, authUrl(server.ctx.config, req, 'token'));
  let issuance: Issuance;
  switch (form.grant_type) {
    case 'authorization_code':
      issuance = await exchangeCode(server, req, caller, form);
      break;
    case 'refresh_token':
      issuance = await refresh(server, caller, form);
      break;
    case 'client_credentials':
      issuance = await clientCredentials(server, caller, form);
      break;
    default:
      throw new OAuthError('unsupported_grant_type', `不支持的 grant_type：${form.grant_type ?? ''}`, `Unsupported grant_type: ${form.grant_type ?? ''}`);
  }
  // The token rows and their record commit together (checks that must stick, such as a replayed
  // code's revocation, ran before, in statements of their own).
  const issued = await server.ctx.db.transaction(async (q) => {
    const r = await issuance(q);
    const g = r.grant;
    await recordAuthEvent(server, req, res, { kind: 'token-issued', outcome: 'success', clientId: g.clientId, detail: `${form.grant_type}: ${g.scopes.join(' ')}`, ...(g.username ? { username: g.username } : {}) }, q);
    return r;
  });
  sendNoStore(res, issued.body);
});

interface CodeGrant {
  grant: Grant;
  nonce?: string;
  authTime: number;
}

async function exchangeCode(server: AuthServer, req: Request, caller: AuthenticatedClient, form: Record<string, string>) {
  const db = server.ctx.db;
  const codeHash = sha256(form.code ?? '');
  const [row] = await db.query<{ client_id: string; redirect_uri: string; code_challenge: string; grant_json: string }>(
    'UPDATE auth_code SET used = true WHERE code_hash = $1 AND NOT used AND expires_at > now() RETURNING client_id, redirect_uri, code_challenge, grant_json',
    [codeHash],
  );
  if (!row && (await db.query('SELECT 1 FROM auth_code WHERE code_hash = $1 AND used', [codeHash])).length > 0) await revokeFromCode(db, codeHash);
  if (!row || row.client_id !== caller.client.clientId) throw invalidGrant('授权码无效、已使用、已过期或不属于此客户端', 'The code is invalid, used, expired or belongs to another client');
  if (form.redirect_uri !== row.redirect_uri) throw invalidGrant('redirect_uri 与授权请求不一致', 'redirect_uri differs from the authorisation request');
  const verifier = form.code_verifier ?? '';
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || createHash('sha256').update(verifier).digest('base64url') !== row.code_challenge) {
    throw invalidGrant('PKCE 校验失败（code_verifier 与 code_challenge 不符）', 'PKCE check failed (code_verifier does not match code_challenge)');
  }
  const { grant, nonce, authTime } = JSON.parse(row.grant_json) as CodeGrant;
  const user = grant.username ? await findUser(db, grant.username) : undefined;
  if (!user?.enabled) throw invalidGrant('用户账户已停用', 'The user account is disabled');
  return (q: Queryable) => tokenResponse(server, q, { ...grant, fromCode: codeHash }, fhirBaseOf(server.ctx.config, req), { nonce, authTime, user: { name: user.name } });
}

/** A checked grant: writes its token rows in the transaction it is given. */
type Issuance = (q: Queryable) => Promise<{ body: Record<string, unknown>; grant: Grant }>;

interface IdTokenFacts {
  nonce: string | undefined;
  authTime: number;
  user: { name: string };
}

/**
 * The token response. A refresh keeps its refresh token (`existing`): the new access token is tied
 * to it, so revoking the refresh token revokes every access token it produced.
 */
async function tokenResponse(server: AuthServer, db: Queryable, grant: Grant, fhirBase: string, idToken?: IdTokenFacts, existing?: { token: string; tokenId: string }) {
  const config = server.ctx.config;
  const seconds = grant.kind === 'backend' ? config.backendTokenSeconds : config.accessTokenSeconds;
  const wantsRefresh = grant.kind === 'user' && (grant.scopes.includes('offline_access') || grant.scopes.includes('online_access'));
  const refresh = existing ?? (wantsRefresh ? await issueToken(db, 'refresh', grant, config.refreshTokenSeconds) : undefined);
  const access = await issueToken(db, 'access', grant, seconds, refresh?.tokenId);
  const body = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    scope: grant.scopes.join(' '),
    ...(grant.patient ? { patient: grant.patient } : {}),
    ...(grant.encounter ? { encounter: grant.encounter } : {}),
    ...(grant.fhirContext ? { fhirContext: grant.fhirContext } : {}),
    ...(grant.patient ? { need_patient_banner: true } : {}),
    ...(refresh ? { refresh_token: refresh.token } : {}),
    ...(idToken && grant.scopes.includes('openid') ? { id_token: await signIdToken(server, grant, fhirBase, idToken) } : {}),
  };
  return { body, grant };
}

/** OpenID Connect id_token (RS256): `fhirUser` as an absolute URL when the scopes ask for it. */
async function signIdToken(server: AuthServer, grant: Grant, fhirBase: string, o: IdTokenFacts): Promise<string> {
  const { current } = await server.keys();
  const wantsUser = grant.scopes.includes('fhirUser') || grant.scopes.includes('profile');
  return new SignJWT({
    ...(wantsUser && grant.fhirUser ? { fhirUser: `${fhirBase}/${grant.fhirUser}` } : {}),
    ...(grant.scopes.includes('profile') ? { name: o.user.name } : {}),
    ...(o.nonce !== undefined ? { nonce: o.nonce } : {}),
    auth_time: o.authTime,
  })
    .setProtectedHeader({ alg: 'RS256', kid: current.kid, typ: 'JWT' })
    .setIssuer(fhirBase)
    .setSubject(grant.username as string)
    .setAudience(grant.clientId)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(current.privateKey);
}

async function refresh(server: AuthServer, caller: AuthenticatedClient, form: Record<string, string>) {
  const db = server.ctx.db;
  const stored = await liveToken(db, form.refresh_token ?? '', 'refresh');
  // A refresh token is bound to the client it was issued to.
  if (!stored || stored.clientId !== caller.client.clientId) throw invalidGrant('刷新令牌无效、已过期、已撤销或不属于此客户端', 'The refresh token is invalid, expired, revoked or belongs to another client');
  let scopes = stored.grant.scopes;
  if (form.scope !== undefined) {
    const requested = form.scope.split(/\s+/).filter((s) => s !== '');
    if (!isNarrowing(parseScopes(requested), parseScopes(scopes))) throw new OAuthError('invalid_scope', '刷新时只能缩小权限范围', 'A refresh may only narrow the scopes');
    scopes = requested;
  }
  return (q: Queryable) => tokenResponse(server, q, { ...stored.grant, scopes }, '', undefined, { token: form.refresh_token as string, tokenId: stored.tokenId });
}

async function clientCredentials(server: AuthServer, caller: AuthenticatedClient, form: Record<string, string>) {
  const { client } = caller;
  if (caller.method !== 'private_key_jwt' && caller.method !== 'client_secret_basic' && caller.method !== 'client_secret_post') {
    throw new OAuthError('unauthorized_client', 'client_credentials 需要客户端认证', 'client_credentials needs an authenticated client');
  }
  if (client.type !== 'backend' && client.type !== 'confidential') throw new OAuthError('unauthorized_client', '此客户端不能使用 client_credentials', 'This client may not use client_credentials');
  const requested = (form.scope ?? '').split(/\s+/).filter((s) => s !== '');
  const parsed = parseScopes(requested);
  if (parsed.invalid.length > 0) throw new OAuthError('invalid_scope', `无法识别的权限范围：${parsed.invalid.join(' ')}`, `Unrecognised scopes: ${parsed.invalid.join(' ')}`);
  const allowed = parseScopes(client.scopes);
  const scopes = requested.filter((s) => s.startsWith('system/') && isNarrowing(parseScopes([s]), allowed));
  if (scopes.length === 0) throw new OAuthError('invalid_scope', '请求的 system/ 权限范围均未授予此客户端', 'None of the requested system/ scopes is permitted to this client');
  const grant: Grant = { kind: 'backend', clientId: client.clientId, roles: client.roles, ...(client.organisation ? { organisation: client.organisation } : {}), scopes };
  return (q: Queryable) => tokenResponse(server, q, grant, '');
}

/**
 * POST /auth/introspect (RFC 7662): a client that authenticates (secret or signed assertion — a
 * public client only names itself, which is not enough), or a holder of a live access token.
 */
export const introspect = oauthEndpoint('access-denied', async (server, req, res) => {
  const form = paramsOf(req);
  const db = server.ctx.db;
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (!bearer || !(await liveToken(db, bearer[1] as string, 'access'))) {
    const caller = await authenticateClient(db, req, form, authUrl(server.ctx.config, req, 'token'));
    if (caller.method === 'none') throw new OAuthError('invalid_client', '令牌内省需要客户端认证或有效的访问令牌', 'Introspection needs client authentication or a live access token', 401);
  }
  const found = (await liveToken(db, form.token ?? '', 'access')) ?? (await liveToken(db, form.token ?? '', 'refresh'));
  sendNoStore(res, found ? active(found) : { active: false });
});

function active(t: StoredToken) {
  const g = t.grant;
  return {
    active: true,
    scope: g.scopes.join(' '),
    client_id: t.clientId,
    ...(g.username ? { username: g.username, sub: g.username } : { sub: t.clientId }),
    token_type: t.kind === 'access' ? 'Bearer' : 'refresh_token',
    exp: Math.floor(t.expiresAt.getTime() / 1000),
    ...(g.patient ? { patient: g.patient } : {}),
    ...(g.encounter ? { encounter: g.encounter } : {}),
    ...(g.fhirUser ? { fhirUser: g.fhirUser } : {}),
  };
}

/** POST /auth/revoke (RFC 7009): the client's own access or refresh token; always 200. */
export const revoke = oauthEndpoint('token-revoked', async (server, req, res) => {
  const form = paramsOf(req);
  const db = server.ctx.db;
  const caller = await authenticateClient(db, req, form, authUrl(server.ctx.config, req, 'token'));
  if (form.token) {
    const token = form.token;
    await auditedChange(server, req, res, (q) => revokeToken(q, token, caller.client.clientId), () => [{ kind: 'token-revoked', outcome: 'success', clientId: caller.client.clientId }]);
  }
  res.status(200).setHeader('Cache-Control', 'no-store');
  res.end();
});
