import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords (等保 level 3, GB/T 22239-2019 8.1.4.1): scrypt with a per-password random salt; the
 * stored form names its parameters, so they can be raised later without breaking old hashes:
 *
 *     scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>
 */
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash no password matches, verified against when the user does not exist, so timing does not reveal it. */
export const UNUSABLE_HASH = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_BYTES).toString('base64url')}`;

const CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];

/** Why a password is refused (zh, en), or undefined: at least 8 characters of at least 3 classes. */
export function passwordWeakness(password: string): { zh: string; en: string } | undefined {
  const classes = CLASSES.filter((c) => c.test(password)).length;
  if (password.length >= 8 && classes >= 3) return undefined;
  return {
    zh: '密码至少 8 个字符，且须包含小写字母、大写字母、数字、符号中的至少 3 类',
    en: 'A password needs at least 8 characters from at least 3 of: lower-case letters, upper-case letters, digits, symbols',
  };
}

/** A one-time password that meets the policy: 16 random characters plus one of each class. */
export function oneTimePassword(): string {
  const pick = (chars: string) => chars[randomInt(chars.length)] as string;
  return `${randomBytes(12).toString('base64url')}${pick('ABCDEFGHJKLMNPQRSTUVWXYZ')}${pick('abcdefghijkmnpqrstuvwxyz')}${pick('23456789')}${pick('!@#%*+=?')}`;
}
