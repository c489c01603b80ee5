import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config.js';
import { findUser, voidOneTimePassword } from './accounts.js';
import { page } from './authorize.js';
import type { AuthServer } from './context.js';
import { langOf, loginPage, type Text } from './pages.js';
import { UNUSABLE_HASH } from './passwords.js';
import { recordAuthEvent } from './security-events.js';
import { ensureSession, loginSession } from './sessions.js';
import { AUTH_PATH, originOf } from './urls.js';

/**
 * User login through a trusted external OpenID Connect issuer (`QIAO_OIDC_ISSUER`): the login
 * page links to it, the issuer authenticates the person (authorisation code with PKCE and a
 * nonce), and the verified id_token's `preferred_username` (else `sub`) must name an enabled local
 * account — roles, organisation and fhirUser stay Qiao's. The state, nonce and PKCE verifier of
 * the round trip wait in a short-lived HttpOnly cookie.
 */
const COOKIE = 'qiao_oidc';
const COOKIE_PATH = `${AUTH_PATH}/oidc`;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const discovered = new Map<string, Promise<{ meta: Discovery; keys: JWTVerifyGetKey }>>();

function discover(issuer: string) {
  let found = discovered.get(issuer);
  if (!found) {
    found = (async () => {
      const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`OpenID discovery of ${issuer}: HTTP ${res.status}`);
      const meta = (await res.json()) as Discovery;
      if (meta.issuer !== issuer) throw new Error(`OpenID discovery of ${issuer} names another issuer: ${meta.issuer}`);
      return { meta, keys: createRemoteJWKSet(new URL(meta.jwks_uri)) };
    })();
    found.catch(() => discovered.delete(issuer));
    discovered.set(issuer, found);
  }
  return found;
}

const callbackUrl = (config: Config, req: Request) => `${originOf(config, req)}${AUTH_PATH}/oidc/callback`;

/** GET /auth/oidc/start: off to the external issuer. */
export async function oidcStart(server: AuthServer, req: Request, res: Response): Promise<void> {
  const oidc = server.ctx.config.oidc;
  if (!oidc) return void res.status(404).end();
  await ensureSession(server.ctx.db, req, res);
  const { meta } = await discover(oidc.issuer);
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const lang = langOf(req);
  res.append('Set-Cookie', `${COOKIE}=${[state, nonce, verifier, lang].join('.')}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=600${req.secure ? '; Secure' : ''}`);
  const url = new URL(meta.authorization_endpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: callbackUrl(server.ctx.config, req),
    scope: 'openid profile',
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    // A Qiao issuer checks aud against its FHIR base; others ignore unknown parameters.
    aud: oidc.issuer,
  })) {
    url.searchParams.set(k, v);
  }
  res.redirect(303, url.toString());
}

/** GET /auth/oidc/callback: the code back from the issuer → a local login session. */
export async function oidcCallback(server: AuthServer, req: Request, res: Response): Promise<void> {
  const oidc = server.ctx.config.oidc;
  if (!oidc) return void res.status(404).end();
  const db = server.ctx.db;
  const session = await ensureSession(db, req, res);
  const cookie = (req.get('cookie') ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  const [state, nonce, verifier, cookieLang] = (cookie?.slice(COOKIE.length + 1) ?? '').split('.');
  const lang = cookieLang === 'en' ? 'en' : 'zh';
  res.append('Set-Cookie', `${COOKIE}=; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0`);
  const refuse = async (error: Text, detail: string, username?: string) => {
    await recordAuthEvent(server, req, res, { kind: 'login', outcome: 'failure', detail: `OpenID Connect ${oidc.issuer}: ${detail}`, ...(username ? { username } : {}) });
    page(res, 401, loginPage({ lang, csrf: session.csrf, error, federated: oidc.issuer }));
  };
  const code = typeof req.query.code === 'string' ? req.query.code : undefined;
  if (!state || !verifier || req.query.state !== state || !code) {
    return refuse({ zh: '外部登录未完成或已过期，请重试', en: 'The external sign-in did not complete or has expired; try again' }, `state/code missing (${String(req.query.error ?? '')})`);
  }
  const { meta, keys } = await discover(oidc.issuer);
  const tokenReply = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(oidc.clientId)}:${encodeURIComponent(oidc.clientSecret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl(server.ctx.config, req), code_verifier: verifier }),
    signal: AbortSignal.timeout(10_000),
  });
  const tokens = (await tokenReply.json().catch(() => ({}))) as { id_token?: string };
  if (!tokenReply.ok || !tokens.id_token) return refuse({ zh: '外部身份提供方拒绝了登录', en: 'The external identity provider refused the sign-in' }, `token endpoint HTTP ${tokenReply.status}`);
  let claims;
  try {
    claims = (await jwtVerify(tokens.id_token, keys, { issuer: oidc.issuer, audience: oidc.clientId, clockTolerance: 10 })).payload;
  } catch (e) {
    return refuse({ zh: '外部身份令牌无效', en: 'The external identity token is invalid' }, (e as Error).message);
  }
  if (claims.nonce !== nonce) return refuse({ zh: '外部身份令牌无效', en: 'The external identity token is invalid' }, 'nonce mismatch');
  const username = String(claims.preferred_username ?? claims.sub ?? '');
  const user = await findUser(db, username);
  if (!user?.enabled || (user.lockedUntil && user.lockedUntil > new Date())) {
    return refuse({ zh: `没有与外部账户 ${username} 对应的可用本地账户`, en: `No usable local account matches the external account ${username}` }, 'no usable local account', username);
  }
  await voidOneTimePassword(db, user.username, UNUSABLE_HASH);
  await recordAuthEvent(server, req, res, { kind: 'login', outcome: 'success', username: user.username, detail: `OpenID Connect ${oidc.issuer}` });
  const fresh = await loginSession(db, req, res, session, user.username);
  res.redirect(303, `${AUTH_PATH}/${fresh.request ? 'consent' : 'account'}?lang=${lang}`);
}
