import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../repository/db.js';
import type { Principal, Role } from './principal.js';

/**
 * Access tokens are opaque random strings looked up in the database (by their SHA-256) rather than
 * self-contained JWTs: revoking a token, disabling a user or client and locking an account take
 * effect on the next request, introspection is the same lookup, and a token shows a client nothing
 * about the user. The price is one indexed query per request. id_tokens are JWTs (OpenID Connect).
 */
export interface Grant {
  kind: 'user' | 'backend';
  clientId: string;
  username?: string;
  fhirUser?: string;
  roles: Role[];
  organisation?: string;
  scopes: string[];
  patient?: string;
  encounter?: string;
  fhirContext?: { reference: string }[];
  /** SHA-256 of the authorisation code the grant came from: a replayed code revokes what it produced. */
  fromCode?: string;
}

export interface StoredToken {
  tokenId: string;
  kind: 'access' | 'refresh';
  clientId: string;
  grant: Grant;
  expiresAt: Date;
  refreshId?: string;
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

export interface Issued {
  token: string;
  tokenId: string;
  expiresIn: number;
}

export async function issueToken(q: Queryable, kind: 'access' | 'refresh', grant: Grant, seconds: number, refreshId?: string): Promise<Issued> {
  const token = randomBytes(32).toString('base64url');
  const tokenId = randomBytes(12).toString('base64url');
  await q.query(
    `INSERT INTO auth_token (token_hash, token_id, kind, client_id, grant_json, refresh_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
    [sha256(token), tokenId, kind, grant.clientId, JSON.stringify(grant), refreshId ?? null, seconds],
  );
  return { token, tokenId, expiresIn: seconds };
}

interface TokenRow {
  token_id: string;
  kind: 'access' | 'refresh';
  client_id: string;
  grant_json: string;
  refresh_id: string | null;
  expires_at: Date | string;
}

/**
 * The token if it is live: not expired, not revoked, and its client — and for a user token the
 * user — still enabled and not locked.
 */
export async function liveToken(q: Queryable, token: string, kind: 'access' | 'refresh'): Promise<StoredToken | undefined> {
  const [row] = await q.query<TokenRow>(
    `SELECT t.token_id, t.kind, t.client_id, t.grant_json, t.refresh_id, t.expires_at FROM auth_token t
     JOIN auth_client c ON c.client_id = t.client_id AND c.enabled
     WHERE t.token_hash = $1 AND t.kind = $2 AND NOT t.revoked AND t.expires_at > now()
       AND (t.grant_json::jsonb ->> 'username' IS NULL OR EXISTS (
         SELECT 1 FROM auth_user u WHERE u.username = t.grant_json::jsonb ->> 'username' AND u.enabled AND (u.locked_until IS NULL OR u.locked_until <= now())))`,
    [sha256(token), kind],
  );
  if (!row) return undefined;
  return {
    tokenId: row.token_id,
    kind: row.kind,
    clientId: row.client_id,
    grant: JSON.parse(row.grant_json) as Grant,
    expiresAt: new Date(row.expires_at),
    ...(row.refresh_id ? { refreshId: row.refresh_id } : {}),
  };
}

/**
 * Revokes a token of the client (RFC 7009: a token of another client is left alone, silently) and,
 * for a refresh token, the access tokens issued from it.
 */
export async function revokeToken(q: Queryable, token: string, clientId: string): Promise<void> {
  const rows = await q.query<{ token_id: string; kind: string }>(
    'UPDATE auth_token SET revoked = true WHERE token_hash = $1 AND client_id = $2 RETURNING token_id, kind',
    [sha256(token), clientId],
  );
  const row = rows[0];
  if (row?.kind === 'refresh') await q.query('UPDATE auth_token SET revoked = true WHERE refresh_id = $1', [row.token_id]);
}

/** Revokes every token issued from an authorisation code (RFC 6749 4.1.2: the code was used twice). */
export async function revokeFromCode(q: Queryable, codeHash: string): Promise<void> {
  await q.query("UPDATE auth_token SET revoked = true WHERE grant_json::jsonb ->> 'fromCode' = $1", [codeHash]);
}

/** Forgets tokens that expired more than a day ago (they are refused anyway). */
export async function purgeExpired(q: Queryable): Promise<void> {
  await q.query("DELETE FROM auth_token WHERE expires_at < now() - interval '1 day'");
  await q.query('DELETE FROM auth_used_jti WHERE expires_at < now()');
  await q.query('DELETE FROM auth_code WHERE expires_at < now()');
  await q.query('DELETE FROM auth_launch WHERE expires_at < now()');
}

/** The principal a live access token stands for. */
export function principalOf(token: StoredToken): Principal {
  const g = token.grant;
  return {
    kind: g.kind,
    clientId: g.clientId,
    ...(g.username ? { username: g.username } : {}),
    ...(g.fhirUser ? { fhirUser: g.fhirUser } : {}),
    roles: g.roles,
    ...(g.organisation ? { organisation: g.organisation } : {}),
    scopes: g.scopes,
    ...(g.patient ? { patient: g.patient } : {}),
    ...(g.encounter ? { encounter: g.encounter } : {}),
    tokenId: token.tokenId,
  };
}
