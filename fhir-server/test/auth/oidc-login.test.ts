import { jest } from '@jest/globals';
import { admin, pkce, postForm, startAuthServer, TEST_APP, TEST_PASSWORD, TEST_REDIRECT, useAuthServer, type AuthTestServer } from '../support/auth.js';

// Two servers start in this file; on a busy machine that takes a while.
jest.setTimeout(120_000);

const SECRET = 'qiao-b-client-secret-2026';

/** One browser's cookies per origin (the two servers share a host name, so the jars are kept apart by port). */
function browser() {
  const jars = new Map<string, string>();
  let html = '';
  const go = async (url: string, form?: Record<string, string>) => {
    const origin = new URL(url).origin;
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jars.get(origin) ?? '', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    const cookies = new Map((jars.get(origin) ?? '').split('; ').filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)] as [string, string]));
    for (const set of res.headers.getSetCookie()) {
      const pair = set.split(';')[0] as string;
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    jars.set(origin, [...cookies].filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join('; '));
    html = await res.text();
    return { status: res.status, location: res.headers.get('location') ?? '', html };
  };
  const csrf = () => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return { go, csrf };
}

/**
 * User login through a trusted external OpenID Connect issuer — here another Qiao (its own
 * authorisation server is an OpenID Provider): the person signs in there, and is a local user here.
 */
describe('login through a trusted external OpenID Connect issuer', () => {
  const issuer = useAuthServer('postgres');
  let server: AuthTestServer;
  beforeAll(async () => {
    server = await startAuthServer('postgres', { config: { oidc: { issuer: issuer.base, clientId: 'qiao-b', clientSecret: SECRET } }, users: [{ username: 'only-here', name: 'Local only', password: TEST_PASSWORD, roles: ['clinician'] }] });
    const registered = await admin(issuer, 'clients', { clientId: 'qiao-b', type: 'confidential', secret: SECRET, redirectUris: [`${server.url}/auth/oidc/callback`], scopes: 'openid profile' });
    expect(registered.status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signInAtIssuer(b: ReturnType<typeof browser>, username: string) {
    const { verifier, challenge } = pkce();
    const query = new URLSearchParams({ response_type: 'code', client_id: TEST_APP, redirect_uri: TEST_REDIRECT, scope: 'user/Patient.rs', aud: server.base, code_challenge: challenge, code_challenge_method: 'S256' });
    const start = await b.go(`${server.url}/auth/authorize?${query}`);
    const login = await b.go(new URL(start.location, server.url).toString());
    expect(login.html).toContain('id="oidc"');
    let step = await b.go(`${server.url}/auth/oidc/start`);
    expect(step.location.startsWith(`${issuer.url}/auth/authorize`)).toBe(true);
    step = await b.go(step.location);
    await b.go(new URL(step.location, issuer.url).toString());
    step = await b.go(`${issuer.url}/auth/login`, { username, password: TEST_PASSWORD, csrf: b.csrf() });
    await b.go(new URL(step.location, issuer.url).toString());
    step = await b.go(`${issuer.url}/auth/consent`, { decision: 'allow', csrf: b.csrf() });
    expect(step.location.startsWith(`${server.url}/auth/oidc/callback`)).toBe(true);
    return { back: await b.go(step.location), verifier };
  }

  it('signs the user in here after the issuer authenticated them, and the app gets its token', async () => {
    const b = browser();
    const { back, verifier } = await signInAtIssuer(b, 'radiologist');
    expect(back.status).toBe(303);
    expect(back.location).toMatch(/\/auth\/consent/);
    await b.go(new URL(back.location, server.url).toString());
    const done = await b.go(`${server.url}/auth/consent`, { decision: 'allow', csrf: b.csrf() });
    const code = new URL(done.location).searchParams.get('code') as string;
    const token = await postForm(server, 'token', { grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT, code_verifier: verifier, client_id: TEST_APP });
    expect(token.status).toBe(200);
    const introspected = await postForm(server, 'introspect', { token: token.body.access_token }, { authorization: `Bearer ${token.body.access_token}` });
    expect(introspected.body).toMatchObject({ active: true, username: 'radiologist' });
  });

  it('refuses a person the issuer knows but who has no account here, and a callback without its state', async () => {
    const stranger = await admin(issuer, 'users', { username: 'issuer-only', name: 'Issuer only', roles: ['clinician'] });
    expect(stranger.status).toBe(201);
    // The issuer's own one-time password must be changed there first; do it as that user would.
    const b = browser();
    const page = await b.go(`${issuer.url}/auth/login`);
    expect(page.status).toBe(200);
    let step = await b.go(`${issuer.url}/auth/login`, { username: 'issuer-only', password: stranger.body.oneTimePassword, csrf: b.csrf() });
    await b.go(new URL(step.location, issuer.url).toString());
    step = await b.go(`${issuer.url}/auth/password`, { current: stranger.body.oneTimePassword, new: TEST_PASSWORD, confirm: TEST_PASSWORD, csrf: b.csrf() });
    expect(step.location).toMatch(/account/);
    const { back } = await signInAtIssuer(browser(), 'issuer-only');
    expect(back.status).toBe(401);
    expect(back.html).toContain('issuer-only');
    const forged = await browser().go(`${server.url}/auth/oidc/callback?code=abc&state=forged`);
    expect(forged.status).toBe(401);
  });
});
