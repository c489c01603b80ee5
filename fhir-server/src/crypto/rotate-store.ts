import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../repository/db.js';
import { Repository } from '../repository/repository.js';
import { FieldSealer, openStored, SEALED_MARK_TEXT, SEALED_TYPES, sealedKeyIds } from '../repository/sealed-fields.js';
import { blindIndexCheck } from './at-rest.js';
import { registerKeyRing } from './key-registry.js';
import { keyRingFrom, readKeyFile, writeKeyFile, type KeyFile } from './key-ring.js';
import { retireFieldKey, withNewFieldKey } from './rotate.js';

/**
 * Key rotation of the stored data (`npm run keys:rotate`, rotate-cli.ts), without stopping the
 * servers: the new field key is written to the key file first and recorded as in use, so a server
 * meeting a value sealed under it re-reads the file (key-registry.ts) and one started with the old
 * file refuses to start; then every stored row that holds a sealed value — current versions and
 * history — is re-sealed under it in batches, each batch its own short transaction (current rows
 * locked, so a concurrent update waits for one batch, never for the rotation).
 */
export interface RotateOptions {
  keyFile: string;
  /** Also replace the blind-index key and rebuild the index rows of the sealed types (servers restarted afterwards). */
  blindIndex?: boolean;
  /** Rebuild the index rows of the sealed types without a new blind-index key (after switching encryption on over plaintext data). */
  reindex?: boolean;
  /** Remove the previous field keys from the file once no stored value needs them. */
  retire?: boolean;
  batch?: number;
  log?: (line: string) => void;
}

export interface RotationSummary {
  keyId: string;
  previous: string[];
  resealed: { current: number; history: number };
  reindexed: number;
  /** Stored values still under a previous key (written meanwhile by a server with the old file). */
  remaining: number;
  retired: string[];
}

export async function rotateStoredKeys(db: Db, options: RotateOptions): Promise<RotationSummary> {
  const log = options.log ?? (() => undefined);
  const batch = options.batch ?? 500;
  const file = await readKeyFile(options.keyFile);
  const previous = Object.keys(file.field.keys);
  let rotated: KeyFile = withNewFieldKey(file);
  if (options.blindIndex) rotated = { ...rotated, blindIndex: randomBytes(32).toString('hex') };
  await writeKeyFile(options.keyFile, rotated);
  const ring = keyRingFrom(rotated, { kind: 'file', path: options.keyFile });
  registerKeyRing(ring);
  await db.query('UPDATE field_key_state SET field_keys = array_append(field_keys, $1) WHERE one AND NOT ($1 = ANY(field_keys))', [ring.currentFieldKeyId]);
  log(`新字段密钥 ${ring.currentFieldKeyId} 已生效 | field key ${ring.currentFieldKeyId} is current (previous: ${previous.join(', ')})`);

  const sealer = new FieldSealer(ring);
  const current = await resealTable(db, sealer, 'resource', batch, log);
  const history = await resealTable(db, sealer, 'resource_history', batch, log);
  let reindexed = 0;
  if (options.blindIndex || options.reindex) {
    reindexed = await reindexSealedTypes(db, new Repository(db, sealer), batch, log);
    await db.query('UPDATE field_key_state SET blind_index_check = $1 WHERE one', [blindIndexCheck(ring.blindIndexKey)]);
  }
  const remaining = await countSealedUnder(db, previous);
  if (remaining === 0) await db.query('UPDATE field_key_state SET field_keys = $1::text[] WHERE one', [[ring.currentFieldKeyId]]);
  let retired: string[] = [];
  if (options.retire) {
    if (remaining > 0) {
      throw new Error(
        `仍有 ${remaining} 个值使用旧密钥，未删除旧密钥 | ${remaining} stored values are still sealed under a previous key (written by a server running with the old key file): restart every server with the new file, run keys:rotate again, then --retire`,
      );
    }
    retired = previous;
    await writeKeyFile(options.keyFile, previous.reduce(retireFieldKey, rotated));
    log(`旧字段密钥已删除 | retired field keys: ${previous.join(', ')}`);
  }
  return { keyId: ring.currentFieldKeyId, previous, resealed: { current, history }, reindexed, remaining, retired };
}

type Table = 'resource' | 'resource_history';

interface ContentRow {
  resource_type: string;
  id: string;
  version_id: string;
  content: string;
}

/**
 * Re-seals the rows of one table that hold a sealed value, or could (rows of the sealed types
 * written before encryption was on), in key order; a row already entirely under the current key
 * is left alone, so a rotation can be resumed.
 */
async function resealTable(db: Db, sealer: FieldSealer, table: Table, batch: number, log: (line: string) => void): Promise<number> {
  let after: [string, string, string] = ['', '', '0'];
  let written = 0;
  const history = table === 'resource_history';
  const key = history ? '(resource_type, id, version_id)' : '(resource_type, id)';
  for (;;) {
    const { count, last, changed } = await db.transaction(async (tx) => {
      const rows = await tx.query<ContentRow>(
        `SELECT resource_type, id, version_id::text AS version_id, content FROM ${table}
         WHERE ${key} > ($4, $5${history ? ', $6::bigint' : ''}) AND content IS NOT NULL AND (resource_type = ANY($1::text[]) OR strpos(content, $2) > 0)
         ORDER BY ${key} LIMIT $3 ${history ? '' : 'FOR UPDATE'}`,
        [SEALED_TYPES, SEALED_MARK_TEXT, batch, after[0], after[1], ...(history ? [after[2]] : [])],
      );
      const updates = rows.flatMap((row) => {
        const text = resealed(sealer, row);
        return text === undefined ? [] : [{ ...row, content: text }];
      });
      if (updates.length > 0) await writeContents(tx, table, updates);
      return { count: rows.length, last: rows[rows.length - 1], changed: updates.length };
    });
    written += changed;
    if (count > 0) log(`${table}: ${written} 行已重新加密 | rows re-sealed`);
    if (!last || count < batch) return written;
    after = [last.resource_type, last.id, last.version_id];
  }
}

/** The row's text re-sealed under the current key; undefined when it needs no change. */
function resealed(sealer: FieldSealer, row: ContentRow): string | undefined {
  const keys = sealedKeyIds(row.content);
  const opened = openStored(row.content, row.resource_type, row.id);
  const sealed = sealer.seal(JSON.parse(opened) as Record<string, unknown>, row.resource_type, row.id);
  if (!sealed) return keys.size > 0 ? opened : undefined;
  const upToDate = keys.size > 0 && [...keys].every((k) => k === sealer.currentKeyId) && sealedKeyIds(sealed.text).size === 1 && countTokens(sealed.text) === countTokens(row.content);
  return upToDate ? undefined : sealed.text;
}

function countTokens(text: string): number {
  return text.split(SEALED_MARK_TEXT).length - 1;
}

async function writeContents(q: Queryable, table: Table, rows: ContentRow[]): Promise<void> {
  const params = [rows.map((r) => r.resource_type), rows.map((r) => r.id), rows.map((r) => r.version_id), rows.map((r) => r.content)];
  await q.query(
    `UPDATE ${table} t SET content = u.c FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS u(rt, rid, v, c)
     WHERE t.resource_type = u.rt AND t.id = u.rid ${table === 'resource_history' ? 'AND t.version_id = u.v' : ''}`,
    params,
  );
}

/** Rebuilds the index rows of every current resource of the sealed types under the ring's blind-index key. */
async function reindexSealedTypes(db: Db, repo: Repository, batch: number, log: (line: string) => void): Promise<number> {
  let total = 0;
  for (const type of SEALED_TYPES) {
    let after: [string, string] = [type, ''];
    for (;;) {
      const { count, last } = await db.transaction((tx) => repo.reindexBatch(tx, type, after, batch));
      total += count;
      if (!last) break;
      after = last;
    }
    log(`${type}: 索引已重建 | index rebuilt (${total} resources so far)`);
  }
  return total;
}

/** How many stored rows hold a value sealed under one of `keyIds`. */
export async function countSealedUnder(q: Queryable, keyIds: readonly string[]): Promise<number> {
  if (keyIds.length === 0) return 0;
  const marks = keyIds.map((k) => `${SEALED_MARK_TEXT}${k}.`);
  const [row] = await q.query<{ n: string }>(
    `SELECT ((SELECT count(*) FROM resource WHERE strpos(content, $2) > 0 AND EXISTS (SELECT 1 FROM unnest($1::text[]) m WHERE strpos(content, m) > 0))
      + (SELECT count(*) FROM resource_history WHERE strpos(content, $2) > 0 AND EXISTS (SELECT 1 FROM unnest($1::text[]) m WHERE strpos(content, m) > 0)))::text AS n`,
    [marks, SEALED_MARK_TEXT],
  );
  return Number(row?.n ?? 0);
}

