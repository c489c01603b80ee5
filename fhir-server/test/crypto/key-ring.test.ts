import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decryptField, encryptField, FieldCipherError } from '../../src/crypto/field-cipher.js';
import { devKeyFilePath, generateKeyFile, keyRingFrom, loadKeyRing, readKeyFile, type KeyFile } from '../../src/crypto/key-ring.js';
import { reencryptField, retireFieldKey, rotateKeyFile } from '../../src/crypto/rotate.js';
import { sm2Sign, sm2Verify } from '../../src/crypto/sm2.js';
import type { Logger } from '../../src/http/logger.js';

function recordingLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  return { lines, log: (level, msg) => void lines.push({ level, msg }) };
}

describe('key ring', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-keys-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('without configuration a development key file is generated under the data directory, said in the log, and reused', async () => {
    const logger = recordingLogger();
    const ring = await loadKeyRing({ dataDir: dir, keyFile: undefined, keys: undefined }, logger);
    const file = devKeyFilePath(dir);
    expect(ring.source).toEqual({ kind: 'generated', path: file });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/QIAO_KEY_FILE/) })]);
    const token = encryptField(ring, '110101199003071234');
    const again = await loadKeyRing({ dataDir: dir, keyFile: undefined, keys: undefined }, recordingLogger());
    expect(decryptField(again, token)).toBe('110101199003071234');
    expect(again.signing?.publicKey).toBe(ring.signing?.publicKey);
    const signature = sm2Sign('doc', ring.signing!);
    expect(sm2Verify('doc', signature, again.signing!.publicKey)).toBe(true);
  });

  test('QIAO_KEY_FILE is preferred to QIAO_KEYS, which is preferred to a generated file', async () => {
    const fromFile = generateKeyFile();
    const fromEnv = generateKeyFile();
    const keyFile = path.join(dir, 'keys.json');
    await writeFile(keyFile, JSON.stringify(fromFile));
    const a = await loadKeyRing({ dataDir: dir, keyFile, keys: JSON.stringify(fromEnv) }, recordingLogger());
    expect(a.currentFieldKeyId).toBe(fromFile.field.current);
    expect(a.source.kind).toBe('file');
    const b = await loadKeyRing({ dataDir: dir, keyFile: undefined, keys: JSON.stringify(fromEnv) }, recordingLogger());
    expect(b.currentFieldKeyId).toBe(fromEnv.field.current);
    expect(b.source.kind).toBe('environment');
  });

  test('bad key files are refused with the member at fault, never echoing a key', () => {
    const good = generateKeyFile();
    const source = { kind: 'file' as const, path: '/etc/qiao/keys.json' };
    const cases: [unknown, RegExp][] = [
      [null, /not a JSON object/],
      [{ ...good, version: 2 }, /"version"/],
      [{ ...good, field: { current: 'nope', keys: good.field.keys } }, /"field.current"/],
      [{ ...good, field: { current: 'k', keys: { k: 'abcd' } } }, /field key "k" must be 64 hex/],
      [{ ...good, blindIndex: 'short' }, /"blindIndex"/],
      [{ ...good, signing: { keyId: 's', privateKey: 'xyz' } }, /"signing.privateKey"/],
    ];
    for (const [value, message] of cases) {
      expect(() => keyRingFrom(value, source)).toThrow(message);
      try {
        keyRingFrom(value, source);
      } catch (error) {
        expect((error as Error).message).toMatch(/^\/etc\/qiao\/keys\.json: /);
        expect((error as Error).message).not.toContain(good.blindIndex);
      }
    }
    expect(() => keyRingFrom(good, source)).not.toThrow();
  });

  test('rotation: a new current key, old values re-encrypted under it, then the old key retired', async () => {
    const keyFile = path.join(dir, 'keys.json');
    const initial: KeyFile = generateKeyFile();
    await writeFile(keyFile, JSON.stringify(initial));
    const config = { dataDir: dir, keyFile, keys: undefined };
    const before = await loadKeyRing(config, recordingLogger());
    const stored = ['110101199003071234', '13812345678'].map((v) => encryptField(before, v, 'Patient.identifier'));

    const { keyId, previous } = await rotateKeyFile(keyFile);
    expect(previous).toBe(initial.field.current);
    const after = await loadKeyRing(config, recordingLogger());
    expect(after.currentFieldKeyId).toBe(keyId);
    expect(after.blindIndexKey.equals(before.blindIndexKey)).toBe(true);
    // Old values stay readable until re-encrypted.
    expect(decryptField(after, stored[0] as string, 'Patient.identifier')).toBe('110101199003071234');

    const rotated = stored.map((t) => reencryptField(after, t, 'Patient.identifier'));
    expect(rotated.every((r) => r.changed && r.token.startsWith(`sm4.1.${keyId}.`))).toBe(true);
    expect(rotated.map((r) => reencryptField(after, r.token, 'Patient.identifier').changed)).toEqual([false, false]);
    expect(() => reencryptField(after, rotated[0]!.token, 'Patient.telecom')).toThrow(FieldCipherError);

    const retired = retireFieldKey(await readKeyFile(keyFile), previous);
    const final = keyRingFrom(retired, { kind: 'file', path: keyFile });
    expect(rotated.map((r) => decryptField(final, r.token, 'Patient.identifier'))).toEqual(['110101199003071234', '13812345678']);
    expect(() => decryptField(final, stored[0] as string, 'Patient.identifier')).toThrow(/not in the key ring/);
    expect(() => retireFieldKey(retired, keyId)).toThrow(/current/);
    expect(JSON.parse(await readFile(keyFile, 'utf8')).field.keys[previous]).toBeDefined();
  });
});
