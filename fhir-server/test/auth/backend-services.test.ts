import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { call, firstIssue } from '../support/http.js';
import { admin, backendToken, bearer, clientAssertion, newKey, postForm, requestBackendToken, useAuthServer, type TestKey } from '../support/auth.js';

/** SMART Backend Services: client_credentials with private_key_jwt, keys by value and by URL. */
describe('backend services (client_credentials, private_key_jwt)', () => {
  const server = useAuthServer('postgres');

  it('issues a token of at most 300 s to an RS384 client whose JWKS is registered by value, and the token reads FHIR', async () => {
    const { accessToken, reply } = await backendToken(server, { scopes: 'system/Patient.rs', alg: 'RS384' });
    expect(reply.body).toMatchObject({ token_type: 'Bearer', scope: 'system/Patient.rs' });
    expect(reply.body.expires_in).toBeLessThanOrEqual(300);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body.refresh_token).toBeUndefined();
    const search = await call(server.base, 'GET', 'Patient', undefined, bearer(accessToken));
    expect(search.status).toBe(200);
  });

  describe('an ES384 client whose JWKS is served by URL', () => {
    let jwksServer: http.Server;
    let key: TestKey;
    let jwksUrl = '';
    let fetched = 0;
    beforeAll(async () => {
      key = await newKey('ES384');
      jwksServer = http.createServer((_req, res) => {
        fetched++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [key.publicJwk] }));
      });
      await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

    it('fetches the keys from the URL and issues a token', async () => {
      const clientId = `es384-${randomUUID()}`;
      expect((await admin(server, 'clients', { clientId, type: 'backend', jwks: jwksUrl, scopes: 'system/Observation.rs system/Patient.rs' })).status).toBe(201);
      const reply = await requestBackendToken(server, clientId, key, 'system/Observation.rs');
      expect(reply.status).toBe(200);
      expect(reply.body.scope).toBe('system/Observation.rs');
      expect(fetched).toBeGreaterThan(0);
      expect((await call(server.base, 'GET', 'Observation', undefined, bearer(reply.body.access_token))).status).toBe(200);
    });
  });

  describe('refuses', () => {
    let clientId = '';
    let key: TestKey;
    beforeAll(async () => {
      const registered = await backendToken(server, { scopes: 'system/Patient.rs' });
      clientId = registered.clientId;
      key = registered.key;
    });

    it('an assertion addressed to another audience', async () => {
      const assertion = await clientAssertion(server, clientId, key, { aud: 'https://elsewhere.example.cn/token' });
      const reply = await requestBackendToken(server, clientId, key, 'system/Patient.rs', assertion);
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_client');
    });

    it('a replayed assertion (same jti)', async () => {
      const assertion = await clientAssertion(server, clientId, key, { jti: randomUUID() });
      expect((await requestBackendToken(server, clientId, key, 'system/Patient.rs', assertion)).status).toBe(200);
      const again = await requestBackendToken(server, clientId, key, 'system/Patient.rs', assertion);
      expect(again.status).toBe(401);
      expect(again.body.error_description).toMatch(/replay/);
    });

    it('an assertion that lives longer than five minutes (by exp)', async () => {
      const assertion = await clientAssertion(server, clientId, key, { lifetime: 600 });
      const reply = await requestBackendToken(server, clientId, key, 'system/Patient.rs', assertion);
      expect(reply.status).toBe(401);
      expect(reply.body.error_description).toMatch(/5 minutes/);
    });

    it('an expired assertion, and one signed by a key the client did not register', async () => {
      const expired = await clientAssertion(server, clientId, key, { exp: Math.floor(Date.now() / 1000) - 120 });
      expect((await requestBackendToken(server, clientId, key, 'system/Patient.rs', expired)).status).toBe(401);
      const stranger = await newKey('RS384');
      expect((await requestBackendToken(server, clientId, { ...stranger, kid: key.kid }, 'system/Patient.rs')).status).toBe(401);
    });

    it('scopes beyond the registration, and non-system scopes', async () => {
      const wider = await requestBackendToken(server, clientId, key, 'system/Observation.rs');
      expect(wider.status).toBe(400);
      expect(wider.body.error).toBe('invalid_scope');
      const user = await requestBackendToken(server, clientId, key, 'user/Patient.rs');
      expect(user.body.error).toBe('invalid_scope');
    });

    it('a disabled client', async () => {
      const other = await backendToken(server, { scopes: 'system/Patient.rs' });
      expect((await admin(server, `clients/${other.clientId}/disable`, {})).status).toBe(200);
      expect((await requestBackendToken(server, other.clientId, other.key, 'system/Patient.rs')).status).toBe(401);
      // Its live token dies with it.
      expect((await call(server.base, 'GET', 'Patient', undefined, bearer(other.accessToken))).status).toBe(401);
    });
  });

  it('revokes a token: the API refuses it and introspection reports it inactive', async () => {
    const { accessToken, clientId, key } = await backendToken(server, { scopes: 'system/Patient.rs' });
    const asClient = async () => ({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await clientAssertion(server, clientId, key, { aud: `${server.url}/auth/token` }),
    });
    const before = await postForm(server, 'introspect', { token: accessToken, ...(await asClient()) });
    expect(before.body).toMatchObject({ active: true, client_id: clientId, scope: 'system/Patient.rs', token_type: 'Bearer' });
    expect((await postForm(server, 'revoke', { token: accessToken, ...(await asClient()) })).status).toBe(200);
    const refused = await call(server.base, 'GET', 'Patient', undefined, bearer(accessToken));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*invalid_token/);
    expect(firstIssue(refused).details.text).toMatch(/撤销.*revoked/);
    const after = await postForm(server, 'introspect', { token: accessToken, ...(await asClient()) });
    expect(after.body).toEqual({ active: false });
  });

  it('answers introspection only to an authenticated caller (naming a public client is not enough)', async () => {
    const reply = await postForm(server, 'introspect', { token: 'anything' });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_client');
    expect((await postForm(server, 'introspect', { token: 'anything', client_id: 'test-app' })).status).toBe(401);
  });
});
