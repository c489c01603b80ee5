import type { Config } from '../config.js';
import type { Logger } from '../http/logger.js';
import type { Queryable } from '../repository/db.js';
import { FieldSealer } from '../repository/sealed-fields.js';
import { registerKeyRing } from './key-registry.js';
import { loadKeyRing, type KeyRing } from './key-ring.js';
import { deriveKey, hmacSm3 } from './sm3.js';

/**
 * Field-level encryption at rest at start-up: the key ring is loaded (key file, QIAO_KEYS, or a
 * development key file in the data directory), registered for reading, and checked against what
 * the database says its stored values need (migration 11, `field_key_state`). A server that
 * could not open some stored value, or whose blind indexes would not match the stored ones,
 * refuses to start instead of failing one request at a time.
 */
export async function openFieldEncryption(config: Config, db: Queryable, logger: Logger): Promise<FieldSealer | undefined> {
  if (config.fieldEncryption === 'off') {
    logger.log('warn', 'QIAO_FIELD_ENCRYPTION=off：身份证件号码和电话号码明文存储（不符合 GB/T 39786 三级）| identity-document and phone numbers are stored in clear (for measuring only; GB/T 39786 level 3 requires encryption at rest)');
    // Values sealed earlier stay readable when keys are configured.
    if (config.keyFile || config.keys) registerKeyRing(await loadKeyRing(config, logger));
    return undefined;
  }
  const ring = await loadKeyRing(config, logger);
  registerKeyRing(ring);
  await checkKeyState(db, ring);
  logger.log('info', 'field-level encryption at rest on', { fieldKey: ring.currentFieldKeyId, keys: ring.source.kind });
  return new FieldSealer(ring);
}

/** A value that identifies the blind-index key without revealing it. */
export function blindIndexCheck(key: Buffer): string {
  return hmacSm3(deriveKey(key, 'blind-index-check', 32), 'qiao').toString('hex').slice(0, 16);
}

interface KeyState {
  blind_index_check: string;
  field_keys: string[];
}

export async function readKeyState(q: Queryable): Promise<KeyState | undefined> {
  const [row] = await q.query<KeyState>('SELECT blind_index_check, field_keys FROM field_key_state WHERE one');
  return row;
}

/** Records the ring on a new database; on one with stored values, refuses a ring that cannot serve them. */
export async function checkKeyState(q: Queryable, ring: KeyRing): Promise<void> {
  const check = blindIndexCheck(ring.blindIndexKey);
  await q.query('INSERT INTO field_key_state (one, blind_index_check, field_keys) VALUES (true, $1, $2::text[]) ON CONFLICT (one) DO NOTHING', [check, [ring.currentFieldKeyId]]);
  const state = await readKeyState(q);
  if (!state) throw new Error('field_key_state: no row after insert');
  const where = ring.source.path ?? 'QIAO_KEYS';
  if (state.blind_index_check !== check) {
    throw new Error(
      `密钥环的盲索引密钥与本数据库建索引时所用的不同，拒绝启动 | the blind-index key of the key ring (${where}) is not the one this database's search index was built with: refusing to start (use the key file the database was written with, or rebuild the index with keys:rotate --blind-index)`,
    );
  }
  const missing = state.field_keys.filter((id) => !ring.fieldKeys.has(id));
  if (missing.length > 0) {
    throw new Error(
      `密钥环缺少存储数据所用的字段密钥 ${missing.join(', ')}，拒绝启动 | field key(s) ${missing.join(', ')} that stored values are sealed under are not in the key ring (${where}): refusing to start (use the current key file; after keys:rotate, every server needs the rotated file)`,
    );
  }
  if (!state.field_keys.includes(ring.currentFieldKeyId)) {
    await q.query('UPDATE field_key_state SET field_keys = array_append(field_keys, $1) WHERE one AND NOT ($1 = ANY(field_keys))', [ring.currentFieldKeyId]);
  }
}
