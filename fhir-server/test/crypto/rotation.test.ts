import { checkKeyState } from '../../src/crypto/at-rest.js';
import { encryptField } from '../../src/crypto/field-cipher.js';
import { devKeyFilePath, generateKeyFile, keyRingFrom, readKeyFile } from '../../src/crypto/key-ring.js';
import { countSealedUnder, rotateStoredKeys } from '../../src/crypto/rotate-store.js';
import { startServer } from '../../src/server.js';
import { backendToken, bearer, userToken, useAuthServer } from '../support/auth.js';
import { call } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

const RESIDENT = 'urn:oid:2.16.156.10011.1.3';

function person(n: number): Record<string, unknown> {
  const phone = `1391234${String(n).padStart(4, '0')}`;
  return { resourceType: 'Patient', identifier: [{ system: RESIDENT, value: `11010519491231${String(n).padStart(3, '0')}X` }], telecom: [{ system: 'phone', value: phone }], name: [{ text: `病人${n}` }] };
}

describe.each(BACKENDS)('key rotation of stored values (%s)', (backend) => {
  const server = useTestServer(backend);
  const ids: string[] = [];

  beforeAll(async () => {
    // Seven patients, each updated once: current rows and history rows under the first key.
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: Array.from({ length: 7 }, (_, n) => ({ resource: person(n), request: { method: 'POST', url: 'Patient' } })) };
    const reply = await call(server.base, 'POST', '', bundle);
    expect(reply.status).toBe(200);
    for (const entry of reply.body.entry) ids.push((entry.response.location as string).split('/')[1] as string);
    for (const [n, id] of ids.entries()) expect((await call(server.base, 'PUT', `Patient/${id}`, { ...person(n), id, gender: 'male' })).status).toBe(200);
  });

  test('re-seals every current and history value under the new key; reads and searches keep working; the old key is retired', async () => {
    const keyFile = devKeyFilePath(server.ctx.config.dataDir);
    const before = await readKeyFile(keyFile);
    const oldKey = before.field.current;
    // 7 patients × (the current row + 2 history rows).
    expect(await countSealedUnder(server.ctx.db, [oldKey])).toBe(21);
    const lines: string[] = [];
    // Small batches, so the keyset paging is exercised.
    const summary = await rotateStoredKeys(server.ctx.db, { keyFile, batch: 3, retire: true, log: (l) => lines.push(l) });
    expect(summary.previous).toEqual([oldKey]);
    expect(summary.resealed).toEqual({ current: 7, history: 14 });
    expect(summary.remaining).toBe(0);
    expect(summary.retired).toEqual([oldKey]);
    expect(await countSealedUnder(server.ctx.db, [oldKey])).toBe(0);
    expect(await countSealedUnder(server.ctx.db, [summary.keyId])).toBe(21);
    const after = await readKeyFile(keyFile);
    expect(Object.keys(after.field.keys)).toEqual([summary.keyId]);
    expect(after.blindIndex).toBe(before.blindIndex);

    for (const [n, id] of ids.entries()) {
      const read = await call(server.base, 'GET', `Patient/${id}`);
      expect(read.body.identifier[0].value).toBe(`11010519491231${String(n).padStart(3, '0')}X`);
      const history = await call(server.base, 'GET', `Patient/${id}/_history`);
      expect(history.body.entry.map((e: { resource: { telecom: { value: string }[] } }) => e.resource.telecom[0]?.value)).toEqual([`1391234${String(n).padStart(4, '0')}`, `1391234${String(n).padStart(4, '0')}`]);
    }
    const found = await call(server.base, 'GET', `Patient?identifier=11010519491231003X`);
    expect(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([ids[3]]);
    const byPhone = await call(server.base, 'GET', `Patient?phone=13912340005`);
    expect(byPhone.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([ids[5]]);

    // Rotating again works the same way: every value moves to the newest key.
    const again = await rotateStoredKeys(server.ctx.db, { keyFile, batch: 100 });
    expect(again.resealed).toEqual({ current: 7, history: 14 });
    expect(again.remaining).toBe(0);
  });

  test('a server whose key ring lacks a key the stored values need refuses to start', async () => {
    const keyFile = devKeyFilePath(server.ctx.config.dataDir);
    const current = await readKeyFile(keyFile);
    // The original key of this database only (retired above), with the right blind-index key.
    const stale = { ...current, field: { current: 'kstale', keys: { kstale: '11'.repeat(32) } } };
    await expect(checkKeyState(server.ctx.db, keyRingFrom(stale, { kind: 'environment' }))).rejects.toThrow(/not in the key ring.*refusing to start/);
    const otherIndex = { ...current, blindIndex: '22'.repeat(32) };
    await expect(checkKeyState(server.ctx.db, keyRingFrom(otherIndex, { kind: 'environment' }))).rejects.toThrow(/blind-index key.*refusing to start/);
    if (backend === 'postgres') {
      await expect(startServer({ ...server.ctx.config, port: 0, databaseUrl: server.databaseUrl, keyFile: undefined, keys: JSON.stringify(stale) })).rejects.toThrow(/refusing to start/);
    }
  });

  test('a value sealed under a key nobody has fails the read loudly, naming the key', async () => {
    const id = ids[0] as string;
    const foreign = generateKeyFile();
    const ring = keyRingFrom(foreign, { kind: 'environment' });
    const token = encryptField(ring, '13900000000', `Patient/${id}`);
    const [row] = await server.ctx.db.query<{ content: string }>(`SELECT content FROM resource WHERE resource_type = 'Patient' AND id = $1`, [id]);
    const tampered = (row?.content as string).replace(/"\\u0073m4\.1\.[^"]+"/, `"\\u0073${token.slice(1)}"`);
    await server.ctx.db.query(`UPDATE resource SET content = $2 WHERE resource_type = 'Patient' AND id = $1`, [id, tampered]);
    const reply = await call(server.base, 'GET', `Patient/${id}`);
    expect(reply.status).toBe(500);
    expect(JSON.stringify(reply.body)).toContain(ring.currentFieldKeyId);
    expect(JSON.stringify(reply.body)).toContain('密钥环中缺少该密钥');
  });
});

describe('masking applies to the opened values (PostgreSQL, auth on)', () => {
  const server = useAuthServer('postgres', { users: [{ username: 'doctor-a', name: '甲医院医生', password: 'Qiao-test-2026!', roles: ['clinician'], organisation: 'Organization/org-a' }] });

  test("another organisation's patient is masked from the decrypted value; the database holds neither form", async () => {
    const backend = bearer((await backendToken(server, { scopes: 'system/*.cruds' })).accessToken);
    const doctor = bearer((await userToken(server, { username: 'doctor-a', scopes: 'user/*.rs' })).body.access_token as string);
    const org = await call(server.base, 'POST', 'Organization', { resourceType: 'Organization', name: '乙医院' }, backend);
    const created = await call(
      server.base,
      'POST',
      'Patient',
      { resourceType: 'Patient', identifier: [{ system: RESIDENT, value: '310104198502025678' }], telecom: [{ system: 'phone', value: '13987655678' }], managingOrganization: { reference: `Organization/${org.body.id}` } },
      backend,
    );
    expect(created.status).toBe(201);
    const read = await call(server.base, 'GET', `Patient/${created.body.id}`, undefined, doctor);
    expect(read.status).toBe(200);
    expect(read.body.identifier[0].value).toBe('310***********5678');
    expect(read.body.telecom[0].value).toBe('139****5678');
    const rows = await server.ctx.db.query<{ content: string }>(`SELECT content FROM resource_history WHERE resource_type = 'Patient'`);
    expect(rows.map((r) => r.content).join('')).not.toMatch(/310104198502025678|13987655678/);
  });
});
