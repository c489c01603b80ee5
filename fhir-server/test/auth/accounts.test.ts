import { call } from '../support/http.js';
import { admin, bearer, pkce, TEST_APP, TEST_PASSWORD, TEST_REDIRECT, useAuthServer, userToken } from '../support/auth.js';
import { passwordWeakness, oneTimePassword } from '../../src/auth/passwords.js';

/** A browser on the login pages: keeps the session cookie, reads the CSRF token of each form. */
function browser(url: string) {
  let cookie = '';
  let csrf = '';
  const go = async (path: string, form?: Record<string, string>) => {
    const res = await fetch(new URL(path, url), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams({ csrf, ...form }) } : {}),
    });
    const set = res.headers.getSetCookie()[0];
    if (set) cookie = set.split(';')[0] as string;
    const text = await res.text();
    csrf = /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? csrf;
    return { status: res.status, location: res.headers.get('location') ?? '', text };
  };
  return go;
}

describe('accounts (等保 level 3): passwords, lockout, one-time passwords, sessions', () => {
  const server = useAuthServer('postgres', { config: { accessTokenSeconds: 2 } });
  const authorize = () => {
    const query = new URLSearchParams({ response_type: 'code', client_id: TEST_APP, redirect_uri: TEST_REDIRECT, scope: 'user/Patient.rs', aud: server.base, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    return `/auth/authorize?${query}`;
  };

  it('holds passwords to 8 characters of 3 classes', () => {
    expect(passwordWeakness('short1A')).toBeDefined();
    expect(passwordWeakness('alllowercase1')).toBeDefined();
    expect(passwordWeakness('Lower-and-UPPER')).toBeUndefined();
    expect(passwordWeakness(oneTimePassword())).toBeUndefined();
  });

  it('locks an account for 15 minutes after 5 failed logins: even the right password is refused', async () => {
    const go = browser(server.url);
    await go(authorize());
    await go('/auth/login');
    for (let i = 0; i < 5; i++) expect((await go('/auth/login', { username: 'radiologist', password: 'Wrong-password-1' })).status).toBe(401);
    const locked = await go('/auth/login', { username: 'radiologist', password: TEST_PASSWORD });
    expect(locked.status).toBe(403);
    expect(locked.text).toContain('15');
    await expect(userToken(server, { username: 'radiologist', scopes: 'user/Patient.rs' })).rejects.toThrow(/login: 403/);
    // The auditor finds the failures and the lockout in the audit trail.
    const auditor = (await userToken(server, { username: 'auditor', scopes: 'user/AuditEvent.rs' })).body.access_token as string;
    const failures = await call(server.base, 'GET', `AuditEvent?subtype=${encodeURIComponent('http://dicom.nema.org/resources/ontology/DCM|110122')}&outcome=4&altid=radiologist`, undefined, bearer(auditor));
    expect(failures.status).toBe(200);
    expect(failures.body.total ?? failures.body.entry?.length).toBeGreaterThanOrEqual(7);
    const lockouts = await call(server.base, 'GET', `AuditEvent?subtype=${encodeURIComponent('https://qiao.health/fhir/CodeSystem/audit-event|lockout')}&altid=radiologist`, undefined, bearer(auditor));
    expect(lockouts.body.entry).toHaveLength(1);
    // An administrator's password reset lifts the lock (and issues a one-time password).
    expect((await admin(server, 'users/radiologist/reset-password', {})).body.oneTimePassword).toEqual(expect.any(String));
  });

  it('makes a new user change the one-time password at first login, refusing a weak one', async () => {
    const created = await admin(server, 'users', { username: 'nurse-wang', name: '王护士', roles: ['clinician'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'nurse-wang', mustChangePassword: true, fhirUser: expect.stringMatching(/^Practitioner\//) });
    const otp = created.body.oneTimePassword as string;
    const go = browser(server.url);
    await go(authorize());
    await go('/auth/login');
    const login = await go('/auth/login', { username: 'nurse-wang', password: otp });
    expect(login.location).toMatch(/\/auth\/password/);
    // Skipping the password page does not reach consent.
    expect((await go('/auth/consent')).location).toMatch(/\/auth\/password/);
    await go('/auth/password');
    const weak = await go('/auth/password', { current: otp, new: 'password', confirm: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('至少 8 个字符');
    const done = await go('/auth/password', { current: otp, new: 'Nurse-Wang-2026', confirm: 'Nurse-Wang-2026' });
    expect(done.location).toMatch(/\/auth\/consent/);
    const token = await userToken(server, { username: 'nurse-wang', password: 'Nurse-Wang-2026', scopes: 'user/Patient.rs' });
    expect(token.status).toBe(200);
    // The one-time password is gone.
    await expect(userToken(server, { username: 'nurse-wang', password: otp, scopes: 'user/Patient.rs' })).rejects.toThrow(/login: 401/);
  });

  it('ends a session after 30 minutes without activity', async () => {
    const go = browser(server.url);
    await go(authorize());
    await go('/auth/login');
    expect((await go('/auth/login', { username: 'clinician', password: TEST_PASSWORD })).location).toMatch(/consent/);
    expect((await go('/auth/consent')).status).toBe(200);
    // Thirty-one minutes pass (the database clock is the session's clock).
    await server.ctx.db.query("UPDATE auth_session SET last_seen = now() - interval '31 minutes'");
    const expired = await go('/auth/consent');
    expect(expired.status).toBe(401);
    expect(expired.text).toContain('30');
  });

  it('refuses an expired access token', async () => {
    const { body } = await userToken(server, { username: 'clinician', scopes: 'user/Patient.rs' });
    expect(body.expires_in).toBe(2);
    expect((await call(server.base, 'GET', 'Patient', undefined, bearer(body.access_token))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    const expired = await call(server.base, 'GET', 'Patient', undefined, bearer(body.access_token));
    expect(expired.status).toBe(401);
  });

  it('refuses the tokens of a disabled user at once, and logs the user out on request', async () => {
    const go = browser(server.url);
    await go('/auth/login');
    await go('/auth/login', { username: 'ecg-reader', password: TEST_PASSWORD });
    const account = await go('/auth/account');
    expect(account.text).toContain('ecg-reader');
    await go('/auth/logout', {});
    expect((await go('/auth/account')).location).toMatch(/\/auth\/login/);
    const token = (await userToken(server, { username: 'auditor', scopes: 'user/Patient.rs offline_access' })).body;
    expect((await admin(server, 'users/auditor/disable', {})).status).toBe(200);
    expect((await call(server.base, 'GET', 'Patient', undefined, bearer(token.access_token))).status).toBe(401);
    await admin(server, 'users/auditor/enable', {});
  });
});
