import { jest } from '@jest/globals';
import { adminToken, newKey, requestBackendToken, TEST_PASSWORD, useAuthServer } from '../support/auth.js';

jest.setTimeout(120000);

/**
 * Security changes and their audit records commit together: with every audit insert refused (a
 * test-only trigger on the table the writers insert into), no account, client, password, lockout
 * or token change survives; without it they do, each with its record.
 */
describe('security events in the transaction of the change they record (postgres)', () => {
  const server = useAuthServer('postgres');
  const sql = <T extends object = Record<string, unknown>>(text: string, params: unknown[] = []) => server.ctx.db.query<T>(text, params);
  let token = '';
  const post = async (pathName: string, body: unknown = {}) => {
    const res = await fetch(`${server.url}/auth/admin/${pathName}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return res.status;
  };
  const login = async (username: string, password: string) => {
    const page = await fetch(`${server.url}/auth/login`);
    const cookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const res = await fetch(`${server.url}/auth/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, username, password }) });
    return res.status;
  };
  const refuseAudit = () =>
    server.ctx.db.exec(`
      CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused (test)'; END $$;
      CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_pending FOR EACH ROW EXECUTE FUNCTION test_refuse_audit();`);
  const allowAudit = () => server.ctx.db.exec('DROP TRIGGER test_refuse_audit ON audit_pending; DROP FUNCTION test_refuse_audit();');
  const user = async (username: string) =>
    (await sql<{ enabled: boolean; password_hash: string; failed_logins: number; locked: boolean }>('SELECT enabled, password_hash, failed_logins, locked_until IS NOT NULL AS locked FROM auth_user WHERE username = $1', [username]))[0];
  const count = async (table: string) => Number((await sql<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]?.n);
  const events = async (code: string) =>
    Number((await sql<{ n: string }>("SELECT count(*)::text AS n FROM resource WHERE resource_type = 'AuditEvent' AND content LIKE $1", [`%"code":"${code}"%`]))[0]?.n);

  beforeAll(async () => {
    token = await adminToken(server);
  });

  it('with the audit write refused, no admin change, password reset, lockout or token survives', async () => {
    const clinician = await user('clinician');
    const tokens = await count('auth_token');
    const clients = await count('auth_client');
    const key = await newKey('RS384');
    await refuseAudit();
    try {
      expect(await post('clients', { clientId: 'unrecorded-app', type: 'backend', jwks: { keys: [key.publicJwk] }, scopes: 'system/Patient.rs', roles: [] })).toBe(500);
      expect(await post('users', { username: 'unrecorded-user', name: '不留痕', roles: ['clinician'] })).toBe(500);
      expect(await post('users/clinician/disable')).toBe(500);
      expect(await post('users/clinician/reset-password')).toBe(500);
      for (let i = 0; i < 5; i++) expect(await login('radiologist', 'Wrong-password-1')).toBe(500);
      const admin = await requestBackendToken(server, 'admin', server.adminKey, 'system/*.cruds');
      expect(admin.status).toBe(500);
    } finally {
      await allowAudit();
    }
    expect(await count('auth_client')).toBe(clients);
    expect(await user('unrecorded-user')).toBeUndefined();
    expect(await user('clinician')).toEqual(clinician);
    expect(await user('radiologist')).toMatchObject({ failed_logins: 0, locked: false });
    expect(await count('auth_token')).toBe(tokens);
  });

  it('with auditing working, each change commits with its record', async () => {
    const before = { disabled: await events('user-disabled'), reset: await events('password-reset'), lockout: await events('lockout'), created: await events('user-created') };
    expect(await post('users', { username: 'recorded-user', name: '留痕', roles: ['clinician'] })).toBe(201);
    expect(await post('users/recorded-user/disable')).toBe(200);
    expect(await post('users/recorded-user/reset-password')).toBe(200);
    for (let i = 0; i < 5; i++) expect(await login('radiologist', 'Wrong-password-1')).toBe(401);
    expect(await login('radiologist', TEST_PASSWORD)).toBe(403);
    expect(await user('recorded-user')).toMatchObject({ enabled: false });
    expect(await user('radiologist')).toMatchObject({ locked: true });
    expect({ disabled: await events('user-disabled'), reset: await events('password-reset'), lockout: await events('lockout'), created: await events('user-created') }).toEqual({
      disabled: before.disabled + 1,
      reset: before.reset + 1,
      lockout: before.lockout + 1,
      created: before.created + 1,
    });
  });
});
