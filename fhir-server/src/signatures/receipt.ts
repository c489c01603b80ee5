import { hmacSm3 } from '../crypto/index.js';
import { sameBytes } from '../crypto/sm3.js';

/**
 * A signature receipt: the server's HMAC-SM3, under a key from the key file (never in the
 * database), over a signature it made and the SM3 digest of what it signed. Kept in
 * `signature_record` next to the signature; a read whose content still has that digest, under that
 * key id, user ID and signature, has the answer SM2 verification would give (≈ 0.7–1.5 ms each,
 * fifty per search page of reports) for the price of a digest and an HMAC.
 *
 * It only ever shortens "valid": a receipt that does not match (content or signature changed, the
 * key file replaced, the row tampered with) sends the signature to full SM2 verification, whose
 * answer stands. Changing the content and the receipt together takes the key file; whoever has it
 * holds the server's signing key too. `$verify-signature` always verifies in full (an auditor's
 * question), as does every signature the server did not make (no receipt).
 */
export function receipt(key: Buffer, kid: string, userId: string, signature: Uint8Array, digest: Uint8Array): Buffer {
  const field = (value: string | Uint8Array) => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return [length, bytes];
  };
  return hmacSm3(key, 'qiao-signature-receipt-v1', ...field(kid), ...field(userId), ...field(signature), ...field(digest));
}

/** Whether a stored receipt vouches for this signature over content with this digest. */
export function receiptHolds(key: Buffer, stored: Uint8Array | null, kid: string, userId: string, signature: Uint8Array, digest: Uint8Array): boolean {
  return stored !== null && sameBytes(stored, receipt(key, kid, userId, signature, digest));
}
