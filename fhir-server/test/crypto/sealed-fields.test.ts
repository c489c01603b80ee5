import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decryptField } from '../../src/crypto/field-cipher.js';
import { registerKeyRing } from '../../src/crypto/key-registry.js';
import { generateKeyFile, keyRingFrom, readKeyFile, writeKeyFile } from '../../src/crypto/key-ring.js';
import { rotateKeyFile } from '../../src/crypto/rotate.js';
import { blindLookups, FieldSealer, openStored, sealedKeyIds } from '../../src/repository/sealed-fields.js';

const RESIDENT = 'urn:oid:2.16.156.10011.1.3';
const ring = keyRingFrom(generateKeyFile(), { kind: 'environment' });
registerKeyRing(ring);
const sealer = new FieldSealer(ring);

const patient = {
  resourceType: 'Patient',
  id: 'p1',
  identifier: [
    { system: RESIDENT, value: '11010519491231002X' },
    { system: 'urn:oid:2.16.156.10011.1.2', value: 'HR-1' },
  ],
  telecom: [
    { system: 'phone', value: '138 0013 8000' },
    { system: 'email', value: 'a@example.cn' },
  ],
  contact: [{ telecom: [{ system: 'sms', value: '13900139000' }] }],
};

describe('sealing a resource (the table of sealed elements)', () => {
  test('seals exactly the resident ID and the phone numbers, leaving the input untouched', () => {
    const before = JSON.stringify(patient);
    const sealed = sealer.seal(patient, 'Patient', 'p1');
    expect(JSON.stringify(patient)).toBe(before);
    expect(sealed?.text.match(/\\u0073m4\.1\./g)).toHaveLength(3);
    expect(sealed?.text).toContain('HR-1');
    expect(sealed?.text).toContain('a@example.cn');
    expect(sealed?.text).not.toMatch(/11010519491231002X|13800138000|138 0013 8000|13900139000/);
    const indexed = sealed?.indexed as typeof patient;
    expect(indexed.identifier[0]?.value).toMatch(/^bi1\.[0-9a-f]{64}$/);
    expect(indexed.identifier[1]?.value).toBe('HR-1');
    expect(indexed.telecom[0]?.value).toBe(blindLookups('Patient', 'phone', '13800138000')[0]);
    expect(openStored(sealed?.text as string, 'Patient', 'p1')).toBe(before);
  });

  test('a resource with nothing to seal is stored as it is; contained persons and Bundle entries are sealed', () => {
    expect(sealer.seal({ resourceType: 'Observation', status: 'final' }, 'Observation', 'o1')).toBeUndefined();
    const observation = { resourceType: 'Observation', contained: [{ ...patient, id: 'c' }], subject: { reference: '#c' } };
    const sealed = sealer.seal(observation, 'Observation', 'o2');
    expect(sealed?.text.match(/\\u0073m4\.1\./g)).toHaveLength(3);
    expect(JSON.parse(openStored(sealed?.text as string, 'Observation', 'o2'))).toEqual(observation);
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient }, { resource: { resourceType: 'Organization' } }] };
    expect(sealer.seal(bundle, 'Bundle', 'b1')?.text.match(/\\u0073m4\.1\./g)).toHaveLength(3);
  });

  test('a sealed value is bound to its resource: copied into another one it does not open', () => {
    const sealed = sealer.seal(patient, 'Patient', 'p1')?.text as string;
    expect(() => openStored(sealed, 'Patient', 'p2')).toThrow(/cannot be opened.*tag-mismatch/);
  });

  test('a value opened before opens from memory only for the same token of the same resource', () => {
    const sealed = sealer.seal(patient, 'Patient', 'p1')?.text as string;
    const clear = JSON.stringify(patient);
    expect(openStored(sealed, 'Patient', 'p1')).toBe(clear);
    expect(openStored(sealed, 'Patient', 'p1')).toBe(clear);
    expect(() => openStored(sealed, 'Patient', 'p2')).toThrow(/cannot be opened.*tag-mismatch/);
    // One character of a ciphertext changed: the check runs again and refuses it.
    const token = /\\u0073m4\.1\.[^."]+\.[^."]+\.([^."]+)\./.exec(sealed);
    const ciphertext = token?.[1] as string;
    const altered = sealed.replace(ciphertext, `${ciphertext[0] === 'A' ? 'B' : 'A'}${ciphertext.slice(1)}`);
    expect(altered).not.toBe(sealed);
    expect(() => openStored(altered, 'Patient', 'p1')).toThrow(/cannot be opened.*tag-mismatch/);
  });

  test('blind lookups fold spaces, hyphens, full-width digits and the case of X', () => {
    const [a] = blindLookups('Patient', 'phone', '13800138000');
    expect(blindLookups('Patient', 'telecom', '138-0013-8000')).toContain(a);
    expect(blindLookups('Patient', 'phone', '１３８００１３８０００')).toContain(a);
    expect(blindLookups('Patient', 'identifier', '11010519491231002x')).toEqual(blindLookups('Patient', 'identifier', '11010519491231002X'));
    expect(blindLookups('Patient', 'identifier', '13800138000')).not.toContain(a); // kinds have their own index
    expect(blindLookups('Observation', 'identifier', '11010519491231002X')).toEqual([]);
  });
});

describe('key files that change under a running server', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-sealed-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a value sealed under a key added to the file after start opens (the file is re-read)', async () => {
    const file = path.join(dir, 'keys.json');
    await writeKeyFile(file, generateKeyFile());
    registerKeyRing(keyRingFrom(await readKeyFile(file), { kind: 'file', path: file }));
    const { keyId } = await rotateKeyFile(file);
    const rotated = keyRingFrom(await readKeyFile(file), { kind: 'file', path: file });
    const text = new FieldSealer(rotated).seal(patient, 'Patient', 'p1')?.text as string;
    expect(sealedKeyIds(text)).toEqual(new Set([keyId]));
    expect(JSON.parse(openStored(text, 'Patient', 'p1'))).toEqual(patient);
  });

  test('a sealer follows its key file: after a rotation new values are sealed under the new key', async () => {
    const file = path.join(dir, 'follow.json');
    await writeKeyFile(file, generateKeyFile());
    const first = keyRingFrom(await readKeyFile(file), { kind: 'file', path: file });
    const following = new FieldSealer(first, 0);
    expect(sealedKeyIds(following.seal(patient, 'Patient', 'p1')?.text as string)).toEqual(new Set([first.currentFieldKeyId]));
    await new Promise((r) => setTimeout(r, 20)); // a later modification time
    const { keyId } = await rotateKeyFile(file);
    const text = following.seal(patient, 'Patient', 'p1')?.text as string;
    expect(sealedKeyIds(text)).toEqual(new Set([keyId]));
    const token = /"\\u0073(m4\.1\.[^"]+)"/.exec(text)?.[1] as string;
    const second = keyRingFrom(await readKeyFile(file), { kind: 'file', path: file });
    expect(decryptField(second, `s${token}`, 'Patient/p1')).toBe('11010519491231002X');
  });
});
