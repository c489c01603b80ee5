import { randomBytes } from 'node:crypto';
import { decryptField, encryptField, fieldKeyIdOf, type FieldKeys } from './field-cipher.js';
import { newKeyId, readKeyFile, writeKeyFile, type KeyFile } from './key-ring.js';

/**
 * Key rotation in two steps. First a new field key becomes current (`rotateKeyFile`): new values
 * are sealed under it at once, old ones stay readable because their key stays in the ring. Then
 * the stored values are re-encrypted (`reencryptField` on each); once none is left under the old
 * key, `retireFieldKey` removes it from the file.
 */
export function withNewFieldKey(file: KeyFile, keyId = newKeyId('k')): KeyFile {
  if (file.field.keys[keyId] !== undefined) throw new Error(`field key "${keyId}" already exists`);
  return { ...file, field: { current: keyId, keys: { ...file.field.keys, [keyId]: randomBytes(32).toString('hex') } } };
}

/** Adds a new current field key to the key file on disk; returns its id and the previous one. */
export async function rotateKeyFile(path: string, keyId?: string): Promise<{ keyId: string; previous: string }> {
  const file = await readKeyFile(path);
  const rotated = withNewFieldKey(file, keyId);
  await writeKeyFile(path, rotated);
  return { keyId: rotated.field.current, previous: file.field.current };
}

/** Removes a field key no value is sealed under any more; the current key cannot be retired. */
export function retireFieldKey(file: KeyFile, keyId: string): KeyFile {
  if (file.field.current === keyId) throw new Error(`field key "${keyId}" is current and cannot be retired`);
  const keys = { ...file.field.keys };
  delete keys[keyId];
  return { ...file, field: { ...file.field, keys } };
}

/**
 * One value under the current key: re-sealed when it was sealed under another (checked first),
 * returned unchanged when already current, so a rotation run can be repeated or resumed.
 */
export function reencryptField(keys: FieldKeys, token: string, aad = ''): { token: string; changed: boolean } {
  const plaintext = decryptField(keys, token, aad);
  if (fieldKeyIdOf(token) === keys.currentFieldKeyId) return { token, changed: false };
  return { token: encryptField(keys, plaintext, aad), changed: true };
}
