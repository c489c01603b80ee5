import { deriveKey, hmacSm3 } from './sm3.js';

/**
 * A blind index: HMAC-SM3 of a normalised identifier under a key that never leaves the server,
 * stored beside the encrypted value so `identifier=<resident ID>` still finds the record by exact
 * match, while the index alone reveals nothing without the key. The domain (e.g. `resident-id`,
 * `phone`) keeps equal values of different kinds from sharing an index entry.
 *
 * The index key is separate from the field keys and is not rotated with them: rotating it means
 * recomputing every index entry, which a rotation of the field keys does not require.
 */
export function blindIndex(indexKey: Buffer, domain: string, value: string): string {
  return hmacSm3(domainKey(indexKey, domain), normaliseIdentifier(value)).toString('hex');
}

// Every indexed value and every search value needs the domain key: derived once per key and domain.
const domainKeys = new WeakMap<Buffer, Map<string, Buffer>>();
function domainKey(indexKey: Buffer, domain: string): Buffer {
  let keys = domainKeys.get(indexKey);
  if (!keys) domainKeys.set(indexKey, (keys = new Map()));
  let key = keys.get(domain);
  if (!key) keys.set(domain, (key = deriveKey(indexKey, `blind-index:${domain}`, 32)));
  return key;
}

/**
 * What counts as the same identifier: surrounding spaces, inner spaces and hyphens dropped, full-width
 * digits and letters folded to ASCII (NFKC), and letters upper-cased — GB 11643 check characters are
 * written `x` as often as `X`, and phone numbers arrive as `138 1234 5678` or `138-1234-5678`.
 */
export function normaliseIdentifier(value: string): string {
  return value.normalize('NFKC').replace(/[\s-]+/g, '').toUpperCase();
}
