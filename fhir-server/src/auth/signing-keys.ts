import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Config } from '../config.js';
import { decryptField, encryptField, isFieldToken, loadKeyRing, type KeyRing } from '../crypto/index.js';
import type { Logger } from '../http/logger.js';
import type { Db, Queryable } from '../repository/db.js';

export interface SigningKey {
  kid: string;
  alg: 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Associated data of the sealed private key, so the sealed value cannot be moved to another column. */
const AAD = 'auth_signing_key.private_jwk';

/**
 * How long a retired key stays in the JWKS: the id_tokens it signed live 1 h, and relying parties
 * may cache the JWKS for 5 minutes (its Cache-Control).
 */
export const RETIRED_KEY_SECONDS = 3600 + 300;

/**
 * The RS256 key that signs id_tokens: generated at first start and kept in the database, so every
 * instance on it signs with the same key; its private half sealed with the SM4 field cipher when a
 * key file (or QIAO_KEYS) is configured. Two instances starting together may both insert one;
 * everyone then signs with the oldest key not retired. The JWKS publishes every key not retired
 * and those retired less than RETIRED_KEY_SECONDS ago (their tokens still verify).
 */
export async function loadSigningKey(config: Config, db: Db, logger: Logger): Promise<{ current: SigningKey; jwks: { keys: JWK[] } }> {
  const ring = await ringOf(config, logger);
  let rows = await keyRows(db);
  if (!rows.some((r) => !r.retired)) {
    await insertKey(db, ring, logger);
    rows = await keyRows(db);
  }
  const first = rows.find((r) => !r.retired) as KeyRow;
  const privateJwk = JSON.parse(unseal(first.private_jwk, ring)) as JWK;
  const publicJwk = JSON.parse(first.public_jwk) as JWK;
  return {
    current: { kid: first.kid, alg: 'RS256', privateKey: (await importJWK(privateJwk, 'RS256')) as CryptoKey, publicJwk },
    jwks: { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) },
  };
}

/**
 * Rotation: a new key signs from now on and every other key retires, in the caller's transaction
 * (the admin API records it in the same one). Running servers pick the new key up within a minute.
 */
export async function rotateSigningKey(config: Config, q: Queryable, logger: Logger): Promise<{ kid: string; retired: string[] }> {
  const kid = await insertKey(q, await ringOf(config, logger), logger);
  const retired = await q.query<{ kid: string }>('UPDATE auth_signing_key SET retired_at = now() WHERE kid <> $1 AND retired_at IS NULL RETURNING kid', [kid]);
  return { kid, retired: retired.map((r) => r.kid) };
}

function ringOf(config: Config, logger: Logger): Promise<KeyRing | undefined> {
  return config.keyFile || config.keys ? loadKeyRing(config, logger) : Promise.resolve(undefined);
}

async function insertKey(q: Queryable, ring: KeyRing | undefined, logger: Logger): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = `rs256-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  const privateJwk = JSON.stringify(await exportJWK(privateKey));
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  await q.query('INSERT INTO auth_signing_key (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3, $4)', [
    kid,
    'RS256',
    ring ? encryptField(ring, privateJwk, AAD) : privateJwk,
    JSON.stringify(publicJwk),
  ]);
  logger.log('info', 'token signing key generated', { kid, sealed: ring !== undefined });
  return kid;
}

interface KeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
  retired: boolean;
}

function keyRows(db: Db): Promise<KeyRow[]> {
  return db.query<KeyRow>(
    `SELECT kid, private_jwk, public_jwk, retired_at IS NOT NULL AS retired FROM auth_signing_key
     WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1) ORDER BY created_at, kid`,
    [RETIRED_KEY_SECONDS],
  );
}

function unseal(value: string, ring: KeyRing | undefined): string {
  if (!isFieldToken(value)) return value;
  if (!ring) throw new Error('the token signing key is sealed with the SM4 field key: configure QIAO_KEY_FILE (or QIAO_KEYS)');
  return decryptField(ring, value, AAD);
}
