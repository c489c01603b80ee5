import { jest } from '@jest/globals';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { admin, TEST_APP, useAuthServer, userToken } from '../support/auth.js';

jest.setTimeout(300000);

/** Rotating the id_token signing key: the new key signs at once, the old one verifies until its tokens have expired. */
describe('signing key rotation (PostgreSQL)', () => {
  const server = useAuthServer('postgres');
  const jwks = async () => (await (await fetch(`${server.url}/auth/jwks`)).json()) as JSONWebKeySet;
  const idToken = async () => (await userToken(server, { username: 'clinician', scopes: 'openid fhirUser user/Patient.rs' })).body.id_token as string;
  const verify = async (token: string) => jwtVerify(token, createLocalJWKSet(await jwks()), { issuer: server.base, audience: TEST_APP });

  it('signs with the new key after a rotation, keeps the old one published while its tokens live, then drops it', async () => {
    const before = await idToken();
    const oldKid = decodeProtectedHeader(before).kid as string;
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([oldKid]);

    const rotated = await admin(server, 'signing-keys/rotate', {});
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ kid: expect.any(String), retired: [oldKid] });
    const newKid = rotated.body.kid as string;
    expect(newKid).not.toBe(oldKid);

    const after = await idToken();
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    // A token signed before the rotation still verifies, and so does the new one.
    expect((await verify(before)).payload.sub).toBe('clinician');
    expect((await verify(after)).payload.sub).toBe('clinician');

    // Once the old key has been retired for longer than an id_token lives, it leaves the JWKS.
    await server.ctx.db.query("UPDATE auth_signing_key SET retired_at = now() - interval '2 hours' WHERE kid = $1", [oldKid]);
    const again = await admin(server, 'signing-keys/rotate', {});
    expect(again.body.retired).toEqual([newKid]);
    expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([newKid, again.body.kid].sort());
    await expect(verify(before)).rejects.toThrow();

    // The rotation is in the audit trail, written with it.
    const [record] = await server.ctx.db.query<{ n: string }>("SELECT count(*)::text AS n FROM resource WHERE resource_type = 'AuditEvent' AND content LIKE '%signing key rotated%'");
    expect(record?.n).toBe('2');
  });

  it('is for the administrator only', async () => {
    const clinician = (await userToken(server, { username: 'clinician', scopes: 'user/Patient.rs' })).body.access_token as string;
    const res = await fetch(`${server.url}/auth/admin/signing-keys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${clinician}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
  });
});
