import { jest } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { loadBootstrap } from '../../src/auth/bootstrap.js';
import { ensureDemoAccounts } from '../../src/auth/demo-accounts.js';
import { ROLES } from '../../src/auth/principal.js';
import { generateKeyFile } from '../../src/crypto/index.js';
import { call } from '../support/http.js';
import { admin, authorisationCode, pkce, postForm, TEST_APP, TEST_REDIRECT, useAuthServer, userToken } from '../support/auth.js';
import { useTestServer } from '../support/test-server.js';

// Three servers start in this file (one of them on the embedded database); a busy machine needs time.
jest.setTimeout(120_000);

const SECRET = 'a-long-client-secret-2026';

describe('clients and users: bootstrap file, demo accounts, the built-in viewer client', () => {
  const server = useAuthServer('postgres', {
    clients: [{ clientId: 'conf-app', type: 'confidential', secret: SECRET, redirectUris: [TEST_REDIRECT], scopes: 'user/*.rs' }],
  });

  it('loads the bootstrap file idempotently, and refuses a file with a weak password, naming the entry', async () => {
    const before = (await admin(server, 'users')).body.length;
    await loadBootstrap(server.ctx, server.logger, server.ctx.config.bootstrapFile as string, server.base);
    expect((await admin(server, 'users')).body.length).toBe(before);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-bootstrap-'));
    try {
      const file = path.join(dir, 'weak.json');
      await writeFile(file, JSON.stringify({ users: [{ username: 'weak', password: 'password', roles: ['clinician'], name: 'Weak' }] }));
      await expect(loadBootstrap(server.ctx, server.logger, file, server.base)).rejects.toThrow(/users\[0\]\.password/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates one demo user per role with a one-time password, once', async () => {
    const created = await ensureDemoAccounts(server);
    expect(created.map((c) => c.role).sort()).toEqual([...ROLES].sort());
    const users = (await admin(server, 'users')).body as { username: string; mustChangePassword: boolean; fhirUser?: string }[];
    for (const c of created) expect(users.find((u) => u.username === c.username)).toMatchObject({ mustChangePassword: true, fhirUser: expect.stringMatching(/^Practitioner\//) });
    expect(await ensureDemoAccounts(server)).toEqual([]);
  });

  it('accepts the viewer at this origin /viewer/ and nowhere else', async () => {
    const authorize = (redirect: string) =>
      fetch(
        `${server.url}/auth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'qiao-viewer', redirect_uri: redirect, scope: 'openid fhirUser launch/patient user/ImagingStudy.rs', aud: server.base, code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
        { redirect: 'manual' },
      );
    const ok = await authorize(`${server.url}/viewer/`);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toMatch(/\/auth\/login/);
    expect((await authorize('http://elsewhere.example.cn/viewer/')).status).toBe(400);
  });

  it('authenticates a confidential client by its secret (HTTP Basic) at the token endpoint', async () => {
    const { code, verifier } = await authorisationCode(server, { username: 'clinician', scopes: 'user/Patient.rs', clientId: 'conf-app' });
    const form = { grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT, code_verifier: verifier };
    const wrong = await postForm(server, 'token', form, { authorization: `Basic ${Buffer.from('conf-app:not-the-secret').toString('base64')}` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    const asPublic = await postForm(server, 'token', { ...form, client_id: 'conf-app' });
    expect(asPublic.body.error).toBe('invalid_client');
    const ok = await postForm(server, 'token', form, { authorization: `Basic ${Buffer.from(`conf-app:${SECRET}`).toString('base64')}` });
    expect(ok.status).toBe(200);
    expect(ok.body.scope).toBe('user/Patient.rs');
  });
});

describe('with QIAO_AUTH=off (development)', () => {
  const server = useTestServer('pglite');

  it('serves FHIR without a token and publishes no authorisation', async () => {
    expect((await call(server.base, 'GET', 'Patient')).status).toBe(200);
    expect((await call(server.base, 'GET', '.well-known/smart-configuration')).status).toBe(404);
    expect((await call(server.base, 'GET', 'metadata')).body.rest[0].security).toBeUndefined();
  });
});

describe('the token signing key under a configured key file', () => {
  const server = useAuthServer('pglite', { config: { keys: JSON.stringify(generateKeyFile()) } });

  it('is kept sealed with the SM4 field cipher, and still signs verifiable id_tokens', async () => {
    const rows = await server.ctx.db.query<{ private_jwk: string; public_jwk: string }>('SELECT private_jwk, public_jwk FROM auth_signing_key');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.private_jwk).toMatch(/^sm4\.1\./);
    expect(rows[0]?.private_jwk).not.toContain('"d"');
    const reply = await userToken(server, { username: 'clinician', scopes: 'openid fhirUser user/Patient.rs' });
    const { payload } = await jwtVerify(reply.body.id_token, createRemoteJWKSet(new URL(`${server.url}/auth/jwks`)), { issuer: server.base, audience: TEST_APP });
    expect(payload.sub).toBe('clinician');
  });
});
