import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Config } from '../config.js';
import { decryptField, encryptField, isFieldToken, loadKeyRing, type KeyRing } from '../crypto/index.js';
import type { Logger } from '../http/logger.js';
import type { Db } from '../repository/db.js';

export interface SigningKey {
  kid: string;
  alg: 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Associated data of the sealed private key, so the sealed value cannot be moved to another column. */
const AAD = 'auth_signing_key.private_jwk';

/**
 * The RS256 key that signs id_tokens: generated at first start and kept in the database, so every
 * instance on it signs with the same key; its private half sealed with the SM4 field cipher when a
 * key file (or QIAO_KEYS) is configured. Two instances starting together may both insert one;
 * everyone then signs with the oldest, and the JWKS publishes all.
 */
export async function loadSigningKey(config: Config, db: Db, logger: Logger): Promise<{ current: SigningKey; jwks: { keys: JWK[] } }> {
  const ring = config.keyFile || config.keys ? await loadKeyRing(config, logger) : undefined;
  let rows = await keyRows(db);
  if (rows.length === 0) {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const kid = `rs256-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
    const privateJwk = JSON.stringify(await exportJWK(privateKey));
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    await db.query('INSERT INTO auth_signing_key (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3, $4)', [
      kid,
      'RS256',
      ring ? encryptField(ring, privateJwk, AAD) : privateJwk,
      JSON.stringify(publicJwk),
    ]);
    logger.log('info', 'token signing key generated', { kid, sealed: ring !== undefined });
    rows = await keyRows(db);
  }
  const first = rows[0] as KeyRow;
  const privateJwk = JSON.parse(unseal(first.private_jwk, ring)) as JWK;
  const publicJwk = JSON.parse(first.public_jwk) as JWK;
  return {
    current: { kid: first.kid, alg: 'RS256', privateKey: (await importJWK(privateJwk, 'RS256')) as CryptoKey, publicJwk },
    jwks: { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) },
  };
}

interface KeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
}

function keyRows(db: Db): Promise<KeyRow[]> {
  return db.query<KeyRow>('SELECT kid, private_jwk, public_jwk FROM auth_signing_key ORDER BY created_at, kid');
}

function unseal(value: string, ring: KeyRing | undefined): string {
  if (!isFieldToken(value)) return value;
  if (!ring) throw new Error('the token signing key is sealed with the SM4 field key: configure QIAO_KEY_FILE (or QIAO_KEYS)');
  return decryptField(ring, value, AAD);
}
