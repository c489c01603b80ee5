import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** SM3 (GB/T 32905) digest. OpenSSL 3 in Node 20 implements it correctly (see field notes). */
export function sm3(data: string | Uint8Array): Buffer {
  return createHash('sm3').update(data).digest();
}

/** HMAC (RFC 2104) with SM3 as the hash: the MAC of the field ciphertexts and the blind index. */
export function hmacSm3(key: Uint8Array, ...parts: (string | Uint8Array)[]): Buffer {
  const mac = createHmac('sm3', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time comparison, so that a tag check does not leak how many leading bytes matched. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A purpose-bound subkey of a master key (HMAC-SM3 of the label), so that the one configured key
 * never serves two algorithms: SM4 encryption and HMAC-SM3 authentication get different keys.
 */
export function deriveKey(master: Uint8Array, label: string, length: number): Buffer {
  const out = hmacSm3(master, `qiao-kdf-v1\u0000${label}`);
  if (length > out.length) throw new Error(`deriveKey: at most ${out.length} bytes`);
  return out.subarray(0, length);
}
