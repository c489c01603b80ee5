import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { decryptField, encryptField, generateSm2KeyPair, loadKeyRing, sm2KeyPair, type KeyRing, type Sm2KeyPair } from '../crypto/index.js';
import { deriveKey } from '../crypto/sm3.js';
import { createLogger } from '../http/logger.js';
import type { Queryable } from '../repository/db.js';

/** The server's own signer (imported documents, writes by clients without a fhirUser). */
export const SERVER_SIGNER = 'server';

export interface SigningKey extends Sm2KeyPair {
  kid: string;
  /** `Practitioner/…`, or SERVER_SIGNER. */
  signer: string;
}

export interface PublishedKey {
  kid: string;
  signer: string;
  publicKey: string;
  created: string;
  retired?: string;
}

/** Associated data of a sealed private key: bound to its key id, so a sealed value cannot be moved to another row. */
const aad = (kid: string) => `signature_key.private_key:${kid}`;

const rings = new WeakMap<Config, Promise<KeyRing>>();

/**
 * The key ring (SM4 field keys seal the signers' private keys; its SM2 key is the server's),
 * loaded once per configuration; without a configured key file that is the development key file
 * under the data directory, as for the rest of the national cryptography.
 */
function keyRing(config: Config): Promise<KeyRing> {
  let ring = rings.get(config);
  if (!ring) {
    ring = loadKeyRing(config, createLogger(config.logLevel));
    ring.catch(() => rings.delete(config));
    rings.set(config, ring);
  }
  return ring;
}

/** The key of signature receipts (receipt.ts), derived from the key file; undefined when the key file cannot be loaded. */
export function receiptKey(config: Config): Promise<Buffer | undefined> {
  return keyRing(config).then(
    (ring) => deriveKey(ring.blindIndexKey, 'signature-receipt', 32),
    () => undefined,
  );
}

interface KeyRow {
  kid: string;
  signer: string;
  public_key: string;
  private_key: string | null;
  created_at: string | Date;
  retired_at: string | Date | null;
}

const COLUMNS = 'kid, signer, public_key, private_key, created_at, retired_at';

/**
 * The signer's current key, created on first need inside the caller's transaction (so it exists
 * only if the signature does). Two first signatures of one signer at once: the second insert
 * waits for the first and does nothing, and both sign with the one key. A key whose sealed half
 * the key ring can no longer open (the development key file was replaced) is retired and a new
 * one made: what it signed still verifies with its public half.
 */
export async function signingKey(config: Config, q: Queryable, signer: string): Promise<SigningKey> {
  const ring = await keyRing(config);
  if (signer === SERVER_SIGNER && ring.signing) return serverKeyOfRing(q, ring.signing);
  // At most: retire an unusable key, insert a new one, read it back.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [row] = await q.query<KeyRow>(`SELECT ${COLUMNS} FROM signature_key WHERE signer = $1 AND retired_at IS NULL`, [signer]);
    if (row) {
      const opened = row.private_key ? unsealed(ring, row) : undefined;
      if (opened) return { kid: row.kid, signer, ...opened };
      // A key file's server key no longer configured has no private half here either.
      await q.query('UPDATE signature_key SET retired_at = now() WHERE kid = $1', [row.kid]);
      continue;
    }
    const pair = generateSm2KeyPair();
    const kid = `sm2-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
    await q.query(
      `INSERT INTO signature_key (kid, signer, public_key, private_key) VALUES ($1, $2, $3, $4)
       ON CONFLICT (signer) WHERE retired_at IS NULL DO NOTHING`,
      [kid, signer, pair.publicKey, encryptField(ring, pair.privateKey, aad(kid))],
    );
  }
  throw new Error(`no signing key could be made for ${signer}`);
}

function unsealed(ring: KeyRing, row: KeyRow): Sm2KeyPair | undefined {
  try {
    return sm2KeyPair(decryptField(ring, row.private_key as string, aad(row.kid)));
  } catch {
    return undefined;
  }
}

/** The key file's SM2 key, published in the table (without its private half) so verifiers find it by id. */
async function serverKeyOfRing(q: Queryable, key: Sm2KeyPair & { keyId: string }): Promise<SigningKey> {
  const [known] = await q.query('SELECT 1 FROM signature_key WHERE kid = $1', [key.keyId]);
  if (!known) {
    // A new key file key (rotated, or configured after development): the previous server key retires.
    await q.query('UPDATE signature_key SET retired_at = now() WHERE signer = $1 AND retired_at IS NULL', [SERVER_SIGNER]);
    await q.query('INSERT INTO signature_key (kid, signer, public_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [key.keyId, SERVER_SIGNER, key.publicKey]);
  }
  return { kid: key.keyId, signer: SERVER_SIGNER, privateKey: key.privateKey, publicKey: key.publicKey };
}

/** A published key by id (current or retired). */
export async function publishedKey(q: Queryable, kid: string): Promise<PublishedKey | undefined> {
  const [row] = await q.query<KeyRow>(`SELECT ${COLUMNS} FROM signature_key WHERE kid = $1`, [kid]);
  return row ? published(row) : undefined;
}

/**
 * A key's signer and public key, which never change once published (retiring a key only stops
 * its use for new signatures): a search page of signed reports asks for the same few keys fifty
 * times. Only keys found are kept, so a key published later is not hidden by an earlier miss.
 */
const verifyingKeys = new Map<string, Pick<PublishedKey, 'signer' | 'publicKey'>>();
const VERIFYING_KEYS_MAX = 1_000;

export async function verifyingKey(q: Queryable, kid: string): Promise<Pick<PublishedKey, 'signer' | 'publicKey'> | undefined> {
  const known = verifyingKeys.get(kid);
  if (known) return known;
  const key = await publishedKey(q, kid);
  if (!key) return undefined;
  if (verifyingKeys.size >= VERIFYING_KEYS_MAX) verifyingKeys.clear();
  const kept = { signer: key.signer, publicKey: key.publicKey };
  verifyingKeys.set(kid, kept);
  return kept;
}

/** Every published key, or those of one signer, oldest first. */
export async function publishedKeys(q: Queryable, signer?: string): Promise<PublishedKey[]> {
  const rows = await q.query<KeyRow>(`SELECT ${COLUMNS} FROM signature_key ${signer ? 'WHERE signer = $1' : ''} ORDER BY created_at, kid`, signer ? [signer] : []);
  return rows.map(published);
}

function published(row: KeyRow): PublishedKey {
  return {
    kid: row.kid,
    signer: row.signer,
    publicKey: row.public_key,
    created: new Date(row.created_at).toISOString(),
    ...(row.retired_at ? { retired: new Date(row.retired_at).toISOString() } : {}),
  };
}
