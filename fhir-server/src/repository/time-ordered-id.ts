import { randomFillSync } from 'node:crypto';

/**
 * A UUID of version 7 (RFC 9562 §5.7): the Unix time in milliseconds in the first 48 bits, then
 * version, variant and 74 random bits. Resources written only ever in time order (AuditEvents) get
 * such ids so that their rows meet in one narrow, recently used stretch of every index keyed by
 * (resource_type, id) — the current, history and index tables' — where random UUIDs put each row
 * on a page of its own, so that a batch of audit records touched (and logged in full after each
 * checkpoint) a page per row.
 */
export function timeOrderedId(now = Date.now()): string {
  const bytes = randomFillSync(Buffer.allocUnsafe(16));
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
