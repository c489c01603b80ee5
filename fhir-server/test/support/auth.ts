import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Config } from '../../src/config.js';
import type { Role } from '../../src/auth/principal.js';
import { startTestServer, type Backend, type TestServer } from './test-server.js';

/**
 * Real tokens through the real endpoints, for tests of anything behind authentication.
 *
 *   const server = useAuthServer('pglite');                       // auth on, bootstrap below
 *   const { accessToken } = await backendToken(server, { scopes: 'system/Patient.rs' });
 *   const reply = await userToken(server, { username: 'clinician', scopes: 'launch/patient patient/*.rs', patient: '123' });
 *
 * The bootstrap file of `useAuthServer` holds: a backend client `test-admin` (administrator role,
 * its private key kept here) that registers further backend clients through the admin API; a
 * public SMART app `test-app` (redirect `TEST_REDIRECT`, every scope); and one user per role, named
 * after the role (`clinician`, `radiologist`, …), password `TEST_PASSWORD`, not one-time.
 */
export const TEST_PASSWORD = 'Qiao-test-2026!';
export const TEST_APP = 'test-app';
export const TEST_REDIRECT = 'http://127.0.0.1:9/callback';
export const TEST_ROLES: readonly Role[] = ['clinician', 'radiologist', 'ecg-reader', 'registry-analyst', 'administrator', 'security-officer', 'auditor'];
const ADMIN_CLIENT = 'test-admin';
export const ALL_USER_SCOPES = 'openid fhirUser profile launch launch/patient launch/encounter offline_access online_access patient/*.cruds user/*.cruds';

export interface AuthTestServer extends TestServer {
  /** The admin client's signing key (RS384). */
  adminKey: { privateKey: CryptoKey; kid: string };
}

export interface AuthServerOptions {
  config?: Partial<Config>;
  /** More bootstrap users (JSON as in the bootstrap file; `oneTimePassword: false` unless given). */
  users?: Record<string, unknown>[];
  /** More bootstrap clients (JSON as in the bootstrap file). */
  clients?: Record<string, unknown>[];
}

export async function startAuthServer(backend: Backend, options: AuthServerOptions = {}): Promise<AuthTestServer> {
  const adminKey = await newKey('RS384');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-auth-'));
  const file = path.join(dir, 'bootstrap.json');
  await writeFile(
    file,
    JSON.stringify({
      clients: [
        { clientId: ADMIN_CLIENT, type: 'backend', jwks: { keys: [adminKey.publicJwk] }, scopes: 'system/*.cruds', roles: ['administrator'] },
        { clientId: TEST_APP, type: 'public', name: 'Test app', redirectUris: [TEST_REDIRECT], scopes: ALL_USER_SCOPES },
        ...(options.clients ?? []),
      ],
      users: [
        ...TEST_ROLES.map((role) => ({ username: role, name: `Test ${role}`, password: TEST_PASSWORD, roles: [role], oneTimePassword: false })),
        ...(options.users ?? []).map((u) => ({ oneTimePassword: false, ...u })),
      ],
    }),
  );
  const server = await startTestServer(backend, { auth: 'on', bootstrapFile: file, ...options.config });
  return {
    ...server,
    adminKey: { privateKey: adminKey.privateKey, kid: adminKey.kid },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An auth-on server for the enclosing `describe` (see startAuthServer). */
export function useAuthServer(backend: Backend, options: AuthServerOptions = {}): AuthTestServer {
  const server = {} as AuthTestServer;
  beforeAll(async () => {
    Object.assign(server, await startAuthServer(backend, options));
  });
  afterAll(async () => {
    await server.close();
  });
  return server;
}

export type AssertionAlg = 'RS384' | 'ES384';

export interface TestKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
  alg: AssertionAlg;
}

export async function newKey(alg: AssertionAlg): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, kid, alg };
}

/** A signed client assertion (SMART Backend Services); `claims` and `lifetime` let negative tests break it. */
export async function clientAssertion(server: TestServer, clientId: string, key: Pick<TestKey, 'privateKey' | 'kid'> & { alg?: AssertionAlg }, o: { lifetime?: number; jti?: string; aud?: string; exp?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg ?? 'RS384', kid: key.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(o.aud ?? `${server.url}/auth/token`)
    .setJti(o.jti ?? randomUUID())
    .setExpirationTime(o.exp ?? now + (o.lifetime ?? 240))
    .sign(key.privateKey);
}

export interface TokenReply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** POST to an /auth endpoint as a form. */
export async function postForm(server: TestServer, endpoint: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenReply> {
  const res = await fetch(`${server.url}/auth/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
}

/** client_credentials with a signed assertion. */
export function requestBackendToken(server: TestServer, clientId: string, key: Pick<TestKey, 'privateKey' | 'kid'> & { alg?: AssertionAlg }, scopes: string, assertion?: string): Promise<TokenReply> {
  return (async () =>
    postForm(server, 'token', {
      grant_type: 'client_credentials',
      scope: scopes,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion ?? (await clientAssertion(server, clientId, key)),
    }))();
}

/** A token of the bootstrap admin client (administrator role), for the admin API. */
export async function adminToken(server: AuthTestServer): Promise<string> {
  const reply = await requestBackendToken(server, ADMIN_CLIENT, server.adminKey, 'system/*.cruds');
  if (reply.status !== 200) throw new Error(`admin token: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.access_token as string;
}

/** POST JSON to the admin API with the admin client's token. */
export async function admin(server: AuthTestServer, pathName: string, body?: unknown): Promise<TokenReply> {
  const res = await fetch(`${server.url}/auth/admin/${pathName}`, {
    method: body === undefined && !pathName.includes('/') ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${await adminToken(server)}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export interface BackendOptions {
  scopes: string;
  roles?: Role[];
  organisation?: string;
  alg?: AssertionAlg;
  /** Scopes registered for the client (default: `scopes`). */
  registered?: string;
}

/**
 * A backend client registered through the admin API with a fresh key pair, and an access token it
 * obtained with a signed assertion (client_credentials).
 */
export async function backendToken(server: AuthTestServer, o: BackendOptions): Promise<{ accessToken: string; clientId: string; key: TestKey; reply: TokenReply }> {
  const key = await newKey(o.alg ?? 'RS384');
  const clientId = `backend-${randomBytes(6).toString('hex')}`;
  const registered = await admin(server, 'clients', {
    clientId,
    type: 'backend',
    jwks: { keys: [key.publicJwk] },
    scopes: o.registered ?? o.scopes,
    roles: o.roles ?? [],
    ...(o.organisation ? { organisation: o.organisation } : {}),
  });
  if (registered.status !== 201) throw new Error(`register ${clientId}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const reply = await requestBackendToken(server, clientId, key, o.scopes);
  if (reply.status !== 200) throw new Error(`backend token: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { accessToken: reply.body.access_token as string, clientId, key, reply };
}

/** A browser's cookie jar for one origin, enough for the login pages. */
class Cookies {
  private readonly jar = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq > 0) this.jar.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1));
    }
  }
  header(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface UserTokenOptions {
  username: string;
  password?: string;
  scopes: string;
  /** For a standalone launch that asks for a patient: the id picked in the patient picker. */
  patient?: string;
  /** EHR launch id (from POST /auth/launch). */
  launch?: string;
  clientId?: string;
  redirectUri?: string;
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

export function pkce(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * Drives the authorisation-code flow over plain HTTP, as a browser would: authorize → login form →
 * consent (or the patient picker) → code → token with PKCE. Returns the token endpoint's reply.
 */
export async function userToken(server: TestServer, o: UserTokenOptions): Promise<TokenReply> {
  const { code, verifier, redirectUri, clientId } = await authorisationCode(server, o);
  return postForm(server, 'token', { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: clientId });
}

/** The first half of userToken: the code the app receives at its redirect URI. */
export async function authorisationCode(server: TestServer, o: UserTokenOptions): Promise<{ code: string; verifier: string; redirectUri: string; clientId: string }> {
  const cookies = new Cookies();
  const clientId = o.clientId ?? TEST_APP;
  const redirectUri = o.redirectUri ?? TEST_REDIRECT;
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString('hex');
  const go = async (url: string, form?: Record<string, string>): Promise<Response> => {
    const res = await fetch(new URL(url, server.url), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: cookies.header(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    cookies.take(res);
    return res;
  };
  const fail = async (step: string, res: Response): Promise<never> => {
    throw new Error(`${step}: ${res.status} ${res.headers.get('location') ?? ''} ${(await res.text()).slice(0, 400)}`);
  };
  const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: o.scopes, state, aud: server.base, code_challenge: challenge, code_challenge_method: 'S256', ...(o.launch ? { launch: o.launch } : {}) });
  let res = await go(`/auth/authorize?${query}`);
  if (res.status !== 303) return fail('authorize', res);
  const login = await go(res.headers.get('location') as string);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await login.text())?.[1] ?? '';
  res = await go('/auth/login', { username: o.username, password: o.password ?? TEST_PASSWORD, csrf });
  if (res.status !== 303 || !(res.headers.get('location') ?? '').includes('/auth/consent')) return fail('login', res);
  const consent = await go(res.headers.get('location') as string);
  const consentCsrf = /name="csrf" value="([^"]+)"/.exec(await consent.text())?.[1] ?? '';
  res = await go('/auth/consent', { csrf: consentCsrf, ...(o.patient ? { patient: o.patient } : { decision: 'allow' }) });
  const location = res.headers.get('location') ?? '';
  if (res.status !== 303 || !location.startsWith(redirectUri)) return fail('consent', res);
  const back = new URL(location);
  if (back.searchParams.get('state') !== state) throw new Error('consent: state not returned');
  const code = back.searchParams.get('code');
  if (!code) return fail('consent', res);
  return { code, verifier, redirectUri, clientId };
}

/** `Authorization: Bearer …` headers for `call()`. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
