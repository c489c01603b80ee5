import { randomBytes } from 'node:crypto';
import { blindIndex, normaliseIdentifier } from '../../src/crypto/blind-index.js';
import { decryptField, encryptField, FieldCipherError, fieldKeyIdOf, isFieldToken, type FieldKeys } from '../../src/crypto/field-cipher.js';

const keys: FieldKeys = { currentFieldKeyId: 'k1', fieldKeys: new Map([['k1', randomBytes(32)]]) };
const AAD = 'Patient.identifier:resident-id';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof FieldCipherError) return error.reason;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** Flips one bit of the base64url part `index` (0 iv, 1 ciphertext, 2 tag) of a token. */
function flipBit(token: string, part: number, bit = 0): string {
  const [prefix, version, keyId, ...rest] = token.split('.');
  const bytes = Buffer.from(rest[part] as string, 'base64url');
  bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7));
  rest[part] = bytes.toString('base64url');
  return [prefix, version, keyId, ...rest].join('.');
}

describe('SM4 field encryption (encrypt-then-MAC with HMAC-SM3)', () => {
  test('round trip, versioned token with the key id, fresh IV each time', () => {
    for (const value of ['110101199003071234', '13812345678', '', '张三 · 身份证 X', 'x'.repeat(1000)]) {
      const token = encryptField(keys, value, AAD);
      expect(token).toMatch(/^sm4\.1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(isFieldToken(token)).toBe(true);
      expect(fieldKeyIdOf(token)).toBe('k1');
      expect(decryptField(keys, token, AAD)).toBe(value);
      expect(encryptField(keys, value, AAD)).not.toBe(token);
      expect(token).not.toContain(Buffer.from(value).toString('base64url').slice(0, 8) || '\u0000');
    }
  });

  test('a flipped bit anywhere in IV, ciphertext or tag is refused before decryption', () => {
    const token = encryptField(keys, '110101199003071234', AAD);
    for (const part of [0, 1, 2]) {
      for (const bit of [0, 7, 77]) expect(refusal(() => decryptField(keys, flipBit(token, part, bit), AAD))).toBe('tag-mismatch');
    }
  });

  test('a value moved to another field (other associated data) or relabelled with another key id is refused', () => {
    const token = encryptField(keys, '13812345678', 'Patient.telecom:phone');
    expect(refusal(() => decryptField(keys, token, AAD))).toBe('tag-mismatch');
    const twoKeys: FieldKeys = { currentFieldKeyId: 'k1', fieldKeys: new Map([...keys.fieldKeys, ['k2', keys.fieldKeys.get('k1') as Buffer]]) };
    expect(refusal(() => decryptField(twoKeys, token.replace('.k1.', '.k2.'), 'Patient.telecom:phone'))).toBe('tag-mismatch');
    expect(refusal(() => decryptField(keys, token.replace('.k1.', '.k9.'), 'Patient.telecom:phone'))).toBe('unknown-key');
  });

  test('malformed tokens are refused as malformed', () => {
    const token = encryptField(keys, 'v', AAD);
    for (const bad of ['', 'plain text', 'sm4.2.k1.a.b.c', token.slice(0, -4), `${token}.x`, token.replace(/\.[^.]+$/, '.'), 'sm4.1.k 1.AAAA.AAAA.AAAA']) {
      expect(refusal(() => decryptField(keys, bad, AAD))).toBe('malformed');
    }
  });
});

describe('blind index (HMAC-SM3)', () => {
  const key = randomBytes(32);
  test('equal identifiers give equal indexes whatever their spelling; other values, domains and keys do not', () => {
    const index = blindIndex(key, 'resident-id', '11010119900307123x');
    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(key, 'resident-id', ' 110101 19900307 123X ')).toBe(index);
    expect(blindIndex(key, 'resident-id', '１１０１０１１９９００３０７１２３Ｘ')).toBe(index);
    expect(blindIndex(key, 'resident-id', '110101199003071235')).not.toBe(index);
    expect(blindIndex(key, 'phone', '11010119900307123X')).not.toBe(index);
    expect(blindIndex(randomBytes(32), 'resident-id', '11010119900307123X')).not.toBe(index);
    expect(normaliseIdentifier('138-1234 5678')).toBe('13812345678');
  });
});
