import { readFileSync, statSync } from 'node:fs';
import type { FieldKeys } from './field-cipher.js';
import { keyRingFrom, type KeyRing } from './key-ring.js';

/**
 * The keys this process can open sealed values with, and compute blind-index lookups under. Read
 * paths (a stored row turned into a response, a search value turned into SQL) are plain functions
 * far from the server's context, and a sealed value names its key itself (`sm4.1.<keyId>.…`), so
 * one registry per process serves them: the union of every ring loaded. Key ids are random, so
 * two rings never claim the same id; blind-index lookups are computed under every known index key
 * (one in production; two for a server that knows the old and the new key of a rotation).
 */
const fieldKeys = new Map<string, Buffer>();
const blindIndexKeys: Buffer[] = [];
const keyFiles = new Set<string>();
const lastReload = new Map<string, number>();
const RELOAD_INTERVAL_MS = 5_000;

export function registerKeyRing(ring: KeyRing): void {
  for (const [id, key] of ring.fieldKeys) if (!fieldKeys.has(id)) fieldKeys.set(id, key);
  if (!blindIndexKeys.some((k) => k.equals(ring.blindIndexKey))) blindIndexKeys.push(ring.blindIndexKey);
  if (ring.source.path && ring.source.kind !== 'environment') keyFiles.add(ring.source.path);
}

/** Every registered field key, for opening (sealing always uses one ring's current key instead). */
export const openingKeys: FieldKeys = { currentFieldKeyId: '', fieldKeys };

export function lookupBlindIndexKeys(): readonly Buffer[] {
  return blindIndexKeys;
}

/**
 * A token under a key this process has not seen: another process may have rotated the key file
 * (rotate-cli adds the new key before re-encrypting), so re-read the files once in a while.
 * Synchronous because it runs inside row decoding; it happens once per new key, not per row.
 */
export function reloadKeyFilesFor(keyId: string): boolean {
  const now = Date.now();
  if (now - (lastReload.get(keyId) ?? 0) < RELOAD_INTERVAL_MS) return false;
  lastReload.set(keyId, now);
  for (const file of keyFiles) readKeyFileNow(file);
  return fieldKeys.has(keyId);
}

/** The key file as it is now on disk, registered; undefined when it cannot be read (the caller keeps its ring). */
export function readKeyFileNow(file: string): KeyRing | undefined {
  try {
    const ring = keyRingFrom(JSON.parse(readFileSync(file, 'utf8')), { kind: 'file', path: file });
    registerKeyRing(ring);
    return ring;
  } catch {
    // Being replaced (written through a rename) or removed: the previous ring stays in use.
    return undefined;
  }
}

/** When a key file was last changed (0 when it cannot be read). */
export function keyFileChanged(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
