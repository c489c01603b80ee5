import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey, hmacSm3, sameBytes } from './sm3.js';

/**
 * Field-level encryption at rest (GB/T 39786 level 3): SM4-CBC under a random IV, then HMAC-SM3
 * over everything that identifies the value (encrypt-then-MAC). Node has no SM4-GCM, hence the
 * separate MAC. A value is one ASCII token, so it fits a text column or a JSON string:
 *
 *     sm4.1.<keyId>.<iv>.<ciphertext>.<tag>      (iv, ciphertext, tag in base64url)
 *
 * `1` versions the construction; the key id names the ring key it was sealed under, so old values
 * stay readable after a rotation and can be re-encrypted at leisure.
 */
export const FIELD_PREFIX = 'sm4.1.';

const IV_BYTES = 16;
const TAG_BYTES = 32;
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** The field keys a cipher needs: 32-byte master keys by id, and which one seals new values. */
export interface FieldKeys {
  readonly currentFieldKeyId: string;
  readonly fieldKeys: ReadonlyMap<string, Buffer>;
}

/** Why a token was refused; the message never contains key material or plaintext. */
export class FieldCipherError extends Error {
  constructor(
    readonly reason: 'malformed' | 'unknown-key' | 'tag-mismatch',
    message: string,
  ) {
    super(message);
    this.name = 'FieldCipherError';
  }
}

interface SubKeys {
  enc: Buffer;
  mac: Buffer;
}

const subKeyCache = new WeakMap<Buffer, SubKeys>();

function subKeys(master: Buffer): SubKeys {
  let keys = subKeyCache.get(master);
  if (!keys) {
    keys = { enc: deriveKey(master, 'field-sm4', 16), mac: deriveKey(master, 'field-hmac-sm3', 32) };
    subKeyCache.set(master, keys);
  }
  return keys;
}

/**
 * The tag covers the header (version and key id), the associated data (the field it belongs to,
 * e.g. `Patient.identifier:resident-id`, so a value cannot be moved to another field unnoticed),
 * the IV and the ciphertext; the associated data is length-prefixed so no two inputs collide.
 */
function tagOf(mac: Buffer, keyId: string, aad: string, iv: Buffer, ciphertext: Buffer): Buffer {
  const aadBytes = Buffer.from(aad, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(aadBytes.length);
  return hmacSm3(mac, `${FIELD_PREFIX}${keyId}.`, length, aadBytes, iv, ciphertext);
}

/** Seals `plaintext` under the current field key. */
export function encryptField(keys: FieldKeys, plaintext: string, aad = ''): string {
  const keyId = keys.currentFieldKeyId;
  const master = keys.fieldKeys.get(keyId);
  if (!master) throw new FieldCipherError('unknown-key', `field key "${keyId}" is not in the key ring`);
  const { enc, mac } = subKeys(master);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('sm4-cbc', enc, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = tagOf(mac, keyId, aad, iv, ciphertext);
  return `${FIELD_PREFIX}${keyId}.${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${tag.toString('base64url')}`;
}

interface ParsedToken {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parseToken(token: string): ParsedToken {
  if (!token.startsWith(FIELD_PREFIX)) throw new FieldCipherError('malformed', 'not an sm4.1 field token');
  const parts = token.slice(FIELD_PREFIX.length).split('.');
  const [keyId, iv, ciphertext, tag] = parts;
  const b64 = /^[A-Za-z0-9_-]+$/;
  if (parts.length !== 4 || !keyId || !KEY_ID.test(keyId) || ![iv, ciphertext, tag].every((p) => p !== undefined && b64.test(p))) {
    throw new FieldCipherError('malformed', 'field token does not have the form sm4.1.<keyId>.<iv>.<ciphertext>.<tag>');
  }
  const parsed = { keyId, iv: Buffer.from(iv as string, 'base64url'), ciphertext: Buffer.from(ciphertext as string, 'base64url'), tag: Buffer.from(tag as string, 'base64url') };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES || parsed.ciphertext.length === 0 || parsed.ciphertext.length % 16 !== 0) {
    throw new FieldCipherError('malformed', 'field token has a wrong IV, ciphertext or tag length');
  }
  return parsed;
}

/** The plaintext of a token, after its tag is checked; any change to any part is refused. */
export function decryptField(keys: FieldKeys, token: string, aad = ''): string {
  const { keyId, iv, ciphertext, tag } = parseToken(token);
  const master = keys.fieldKeys.get(keyId);
  if (!master) throw new FieldCipherError('unknown-key', `field key "${keyId}" is not in the key ring`);
  const { enc, mac } = subKeys(master);
  if (!sameBytes(tag, tagOf(mac, keyId, aad, iv, ciphertext))) throw new FieldCipherError('tag-mismatch', 'field token failed authentication (altered, or sealed for another field)');
  const decipher = createDecipheriv('sm4-cbc', enc, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

/** Whether a stored string is a sealed field (as opposed to a plaintext value written before encryption). */
export function isFieldToken(value: string): boolean {
  return value.startsWith(FIELD_PREFIX);
}

/** The id of the key a token was sealed under, without checking it. */
export function fieldKeyIdOf(token: string): string {
  return parseToken(token).keyId;
}
