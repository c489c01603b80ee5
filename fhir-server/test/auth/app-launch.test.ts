import { createRemoteJWKSet, jwtVerify } from 'jose';
import { call, firstIssue } from '../support/http.js';
import { admin, authorisationCode, backendToken, bearer, pkce, postForm, TEST_APP, TEST_REDIRECT, useAuthServer, userToken } from '../support/auth.js';

/** SMART App Launch 2.2 over plain HTTP: authorize, login, consent, code, token, refresh, id_token. */
describe('SMART app launch (authorisation code with PKCE)', () => {
  const server = useAuthServer('postgres', {
    clients: [{ clientId: 'other-app', type: 'public', redirectUris: ['http://127.0.0.1:9/other'], scopes: 'openid fhirUser launch/patient offline_access patient/*.rs' }],
  });
  let patient = '';
  let encounter = '';
  beforeAll(async () => {
    const { accessToken } = await backendToken(server, { scopes: 'system/*.cruds' });
    patient = (await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: '李', given: ['雷'] }] }, bearer(accessToken))).body.id;
    encounter = (await call(server.base, 'POST', 'Encounter', { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${patient}` } }, bearer(accessToken))).body.id;
  });

  const authorizeUrl = (params: Record<string, string>) => {
    const { challenge } = pkce();
    const query = new URLSearchParams({ response_type: 'code', client_id: TEST_APP, redirect_uri: TEST_REDIRECT, scope: 'patient/*.rs', state: 's1', aud: server.base, code_challenge: challenge, code_challenge_method: 'S256', ...params });
    return `${server.url}/auth/authorize?${query}`;
  };
  const redirectError = async (params: Record<string, string>) => {
    const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(TEST_REDIRECT);
    expect(location.searchParams.get('state')).toBe('s1');
    return { error: location.searchParams.get('error'), description: location.searchParams.get('error_description') ?? '' };
  };

  it('publishes the SMART configuration with absolute URLs and the CapabilityStatement security', async () => {
    const config = await call(server.base, 'GET', '.well-known/smart-configuration');
    expect(config.status).toBe(200);
    expect(config.body.token_endpoint).toBe(`${server.url}/auth/token`);
    expect(config.body.authorization_endpoint).toBe(`${server.url}/auth/authorize`);
    expect(config.body.code_challenge_methods_supported).toEqual(['S256']);
    for (const capability of ['launch-ehr', 'launch-standalone', 'client-public', 'client-confidential-symmetric', 'client-confidential-asymmetric', 'sso-openid-connect', 'context-ehr-patient', 'context-ehr-encounter', 'context-standalone-patient', 'permission-offline', 'permission-patient', 'permission-user', 'permission-v1', 'permission-v2']) {
      expect(config.body.capabilities).toContain(capability);
    }
    const metadata = await call(server.base, 'GET', 'metadata');
    expect(metadata.status).toBe(200);
    const security = metadata.body.rest[0].security;
    expect(security.service[0].coding[0].code).toBe('SMART-on-FHIR');
    const uris = Object.fromEntries(security.extension[0].extension.map((e: { url: string; valueUri: string }) => [e.url, e.valueUri]));
    expect(uris).toMatchObject({ authorize: `${server.url}/auth/authorize`, token: `${server.url}/auth/token` });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers 401 with an OperationOutcome and WWW-Authenticate for /fhir, /dicomweb and /bulk without a token', async () => {
    // Express matches /FHIR like /fhir: the check must not be fooled by case.
    for (const url of [`${server.base}/Patient`, `${server.url}/FHIR/Patient`, `${server.url}/dicomweb/studies`, `${server.url}/bulk/some-job`]) {
      const res = await fetch(url, { headers: { accept: 'application/fhir+json' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const outcome = (await res.json()) as { resourceType: string; issue: { details: { text: string } }[] };
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]?.details.text).toMatch(/访问令牌.*access token/);
    }
    const bad = await call(server.base, 'GET', 'Patient', undefined, bearer('not-a-token'));
    expect(bad.status).toBe(401);
    expect(firstIssue(bad).code).toBe('login');
  });

  it('completes a standalone launch with the patient picker: patient context, refresh token, id_token with fhirUser', async () => {
    const reply = await userToken(server, { username: 'clinician', scopes: 'openid fhirUser launch/patient patient/*.rs offline_access', patient });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toMatchObject({ token_type: 'Bearer', patient, scope: 'openid fhirUser launch/patient patient/*.rs offline_access' });
    expect(reply.body.refresh_token).toEqual(expect.any(String));
    const jwks = createRemoteJWKSet(new URL(`${server.url}/auth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(reply.body.id_token, jwks, { issuer: server.base, audience: TEST_APP });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe('clinician');
    const fhirUser = String(payload.fhirUser);
    expect(fhirUser).toMatch(new RegExp(`^${server.base}/Practitioner/`));
    const practitioner = await call(server.base, 'GET', fhirUser.slice(server.base.length + 1), undefined, bearer((await backendToken(server, { scopes: 'system/Practitioner.rs' })).accessToken));
    expect(practitioner.body.identifier[0].value).toBe('clinician');
    expect((await call(server.base, 'GET', `Patient/${patient}`, undefined, bearer(reply.body.access_token))).status).toBe(200);
  });

  it('shows the patient picker with data-patient-id on each choice, in Chinese first and English on request', async () => {
    const res = await fetch(authorizeUrl({ scope: 'launch/patient patient/*.rs' }), { redirect: 'manual' });
    const cookie = (res.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    expect(res.headers.getSetCookie()[0]).toMatch(/HttpOnly; SameSite=Lax/);
    const loginPage = await (await fetch(`${server.url}/auth/login`, { headers: { cookie } })).text();
    expect(loginPage).toContain('lang="zh-CN"');
    expect(loginPage).toContain('用户名');
    const csrf = /name="csrf" value="([^"]+)"/.exec(loginPage)?.[1] as string;
    const login = await fetch(`${server.url}/auth/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'clinician', password: 'Qiao-test-2026!', csrf }) });
    const session = (login.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    expect(session).not.toBe(cookie);
    const consent = await (await fetch(`${server.url}/auth/consent?lang=en`, { headers: { cookie: session } })).text();
    expect(consent).toContain('lang="en"');
    expect(consent).toContain('Choose a patient');
    expect(consent).toContain(`data-patient-id="${patient}"`);
  });

  it('completes an EHR launch: the launch id carries patient and encounter into the token response', async () => {
    const { accessToken } = await backendToken(server, { scopes: 'system/Patient.rs' });
    const created = await fetch(`${server.url}/auth/launch`, { method: 'POST', headers: { ...bearer(accessToken), 'content-type': 'application/json' }, body: JSON.stringify({ patient, encounter }) });
    expect(created.status).toBe(201);
    const { launch } = (await created.json()) as { launch: string };
    const reply = await userToken(server, { username: 'clinician', scopes: 'launch openid fhirUser patient/*.rs', launch });
    expect(reply.body).toMatchObject({ patient, encounter });
  });

  it('refuses plain PKCE, a missing challenge, and a wrong aud, back at the app', async () => {
    expect(await redirectError({ code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) })).toMatchObject({ error: 'invalid_request', description: expect.stringMatching(/S256/) });
    const { code_challenge_method: _m, ...noMethod } = Object.fromEntries(new URL(authorizeUrl({})).searchParams);
    expect(await redirectError({ ...noMethod, code_challenge_method: '' })).toMatchObject({ error: 'invalid_request' });
    expect(await redirectError({ aud: 'https://other.example.cn/fhir' })).toMatchObject({ error: 'invalid_request', description: expect.stringMatching(/aud/) });
    expect(await redirectError({ scope: 'patient/Observation.xyz' })).toMatchObject({ error: 'invalid_scope' });
  });

  it('never redirects to an unregistered redirect_uri', async () => {
    const res = await fetch(authorizeUrl({ redirect_uri: 'http://evil.example.com/cb' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri');
  });

  it('accepts a v2 query restriction, and refuses a wrong code_verifier and a second use of a code (revoking its token)', async () => {
    const scopes = 'launch/patient patient/Observation.rs?category=laboratory';
    const first = await authorisationCode(server, { username: 'clinician', scopes, patient });
    const wrong = await postForm(server, 'token', { grant_type: 'authorization_code', code: first.code, redirect_uri: first.redirectUri, code_verifier: pkce().verifier, client_id: TEST_APP });
    expect(wrong.body.error).toBe('invalid_grant');
    const second = await authorisationCode(server, { username: 'clinician', scopes, patient });
    const form = { grant_type: 'authorization_code', code: second.code, redirect_uri: second.redirectUri, code_verifier: second.verifier, client_id: TEST_APP };
    const ok = await postForm(server, 'token', form);
    expect(ok.body.scope).toBe(scopes);
    expect((await call(server.base, 'GET', `Patient/${patient}`, undefined, bearer(ok.body.access_token))).status).not.toBe(401);
    expect((await postForm(server, 'token', form)).body.error).toBe('invalid_grant');
    // A replayed code revokes the token its first use produced (RFC 6749 4.1.2).
    expect((await call(server.base, 'GET', `Patient/${patient}`, undefined, bearer(ok.body.access_token))).status).toBe(401);
  });

  describe('refresh tokens', () => {
    let refresh = '';
    beforeAll(async () => {
      refresh = (await userToken(server, { username: 'clinician', scopes: 'launch/patient patient/*.rs offline_access', patient })).body.refresh_token;
    });

    it('narrow: a refresh may ask for fewer scopes, and gets the same patient', async () => {
      const reply = await postForm(server, 'token', { grant_type: 'refresh_token', refresh_token: refresh, client_id: TEST_APP, scope: 'patient/Observation.rs' });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ scope: 'patient/Observation.rs', patient });
    });

    it('refuse scope escalation', async () => {
      const reply = await postForm(server, 'token', { grant_type: 'refresh_token', refresh_token: refresh, client_id: TEST_APP, scope: 'patient/*.cruds' });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toBe('invalid_scope');
    });

    it('are bound to their client', async () => {
      const reply = await postForm(server, 'token', { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'other-app' });
      expect(reply.body.error).toBe('invalid_grant');
    });

    it('once revoked, take their access tokens with them', async () => {
      const own = await userToken(server, { username: 'clinician', scopes: 'launch/patient patient/*.rs offline_access', patient });
      const access = await postForm(server, 'token', { grant_type: 'refresh_token', refresh_token: own.body.refresh_token, client_id: TEST_APP });
      expect((await postForm(server, 'revoke', { token: own.body.refresh_token, client_id: TEST_APP })).status).toBe(200);
      expect((await call(server.base, 'GET', `Patient/${patient}`, undefined, bearer(access.body.access_token))).status).toBe(401);
      expect((await postForm(server, 'token', { grant_type: 'refresh_token', refresh_token: own.body.refresh_token, client_id: TEST_APP })).body.error).toBe('invalid_grant');
    });
  });

  it('lets only an administrator use the admin API', async () => {
    const { accessToken } = await backendToken(server, { scopes: 'system/Patient.rs', roles: ['security-officer'] });
    const res = await fetch(`${server.url}/auth/admin/users`, { headers: bearer(accessToken) });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { issue: { details: { text: string } }[] }).issue[0]?.details.text).toMatch(/administrator/);
    const listed = await admin(server, 'users');
    expect(listed.status).toBe(200);
    expect(listed.body.map((u: { username: string }) => u.username)).toContain('auditor');
    expect(JSON.stringify(listed.body)).not.toMatch(/scrypt/);
  });
});

describe('bad input to the authorisation server', () => {
  const server = useAuthServer('postgres');

  it('answers malformed token, admin and authorize requests with 4xx, never a crash', async () => {
    const garbage = await fetch(`${server.url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%=&&grant_type=%E0%A4%A' });
    // No client named: the client is not authenticated.
    expect(garbage.status).toBe(401);
    expect(((await garbage.json()) as { error: string }).error).toBe('invalid_client');
    const noGrant = await postForm(server, 'token', { client_id: TEST_APP });
    expect(noGrant.body.error).toBe('unsupported_grant_type');
    const assertion = await postForm(server, 'token', { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'not.a.jwt' });
    expect(assertion.body.error).toBe('invalid_client');
    const token = await backendToken(server, { scopes: 'system/Patient.rs', roles: ['administrator'] });
    const badJson = await fetch(`${server.url}/auth/admin/clients`, { method: 'POST', headers: { ...bearer(token.accessToken), 'content-type': 'application/json' }, body: '{"clientId": ' });
    expect(badJson.status).toBe(400);
    const badClient = await fetch(`${server.url}/auth/admin/clients`, { method: 'POST', headers: { ...bearer(token.accessToken), 'content-type': 'application/json' }, body: JSON.stringify({ clientId: "x'; DROP TABLE auth_client; --", type: 'backend', scopes: 'system/*.rs' }) });
    expect(badClient.status).toBe(400);
    expect(((await badClient.json()) as { issue: { details: { text: string } }[] }).issue[0]?.details.text).toMatch(/clientId/);
    const noClient = await fetch(`${server.url}/auth/authorize?client_id=nobody&response_type=code`, { redirect: 'manual' });
    expect(noClient.status).toBe(400);
    expect(await noClient.text()).toContain('nobody');
    const escaped = await fetch(`${server.url}/auth/authorize?client_id=${encodeURIComponent('<script>alert(1)</script>')}`, { redirect: 'manual' });
    expect(await escaped.text()).not.toContain('<script>alert');
  });
});
