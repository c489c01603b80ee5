import type { JSONWebKeySet } from 'jose';
import type { Queryable } from '../repository/db.js';
import { ROLES, type Role } from './principal.js';

/** Registered apps and user accounts as stored (migration 9). */
export type ClientType = 'backend' | 'public' | 'confidential';

export interface Client {
  clientId: string;
  type: ClientType;
  name?: string;
  secretHash?: string;
  jwks?: JSONWebKeySet;
  jwksUrl?: string;
  redirectUris: string[];
  /** The most the client may be granted (space-separated SMART scopes). */
  scopes: string;
  roles: Role[];
  organisation?: string;
  enabled: boolean;
}

export interface User {
  username: string;
  name: string;
  passwordHash: string;
  roles: Role[];
  fhirUser?: string;
  organisation?: string;
  enabled: boolean;
  mustChangePassword: boolean;
  passwordExpiresAt?: Date;
  failedLogins: number;
  lockedUntil?: Date;
}

interface ClientRow {
  client_id: string;
  type: ClientType;
  name: string | null;
  secret_hash: string | null;
  jwks: string | null;
  jwks_url: string | null;
  redirect_uris: string;
  scopes: string;
  roles: string;
  organisation: string | null;
  enabled: boolean;
}

interface UserRow {
  username: string;
  name: string;
  password_hash: string;
  roles: string;
  fhir_user: string | null;
  organisation: string | null;
  enabled: boolean;
  must_change_password: boolean;
  password_expires_at: Date | string | null;
  failed_logins: number;
  locked_until: Date | string | null;
}

const date = (v: Date | string | null): Date | undefined => (v === null ? undefined : new Date(v));

function clientOf(r: ClientRow): Client {
  return {
    clientId: r.client_id,
    type: r.type,
    ...(r.name ? { name: r.name } : {}),
    ...(r.secret_hash ? { secretHash: r.secret_hash } : {}),
    ...(r.jwks ? { jwks: JSON.parse(r.jwks) as JSONWebKeySet } : {}),
    ...(r.jwks_url ? { jwksUrl: r.jwks_url } : {}),
    redirectUris: JSON.parse(r.redirect_uris) as string[],
    scopes: r.scopes,
    roles: JSON.parse(r.roles) as Role[],
    ...(r.organisation ? { organisation: r.organisation } : {}),
    enabled: r.enabled,
  };
}

function userOf(r: UserRow): User {
  const expires = date(r.password_expires_at);
  const locked = date(r.locked_until);
  return {
    username: r.username,
    name: r.name,
    passwordHash: r.password_hash,
    roles: JSON.parse(r.roles) as Role[],
    ...(r.fhir_user ? { fhirUser: r.fhir_user } : {}),
    ...(r.organisation ? { organisation: r.organisation } : {}),
    enabled: r.enabled,
    mustChangePassword: r.must_change_password,
    ...(expires ? { passwordExpiresAt: expires } : {}),
    failedLogins: r.failed_logins,
    ...(locked ? { lockedUntil: locked } : {}),
  };
}

export async function findClient(q: Queryable, clientId: string): Promise<Client | undefined> {
  const [row] = await q.query<ClientRow>('SELECT * FROM auth_client WHERE client_id = $1', [clientId]);
  return row && clientOf(row);
}

export async function listClients(q: Queryable): Promise<Client[]> {
  return (await q.query<ClientRow>('SELECT * FROM auth_client ORDER BY client_id')).map(clientOf);
}

/** Inserts the client, or leaves an existing one alone unless `replace` (admin edits) is set. */
export async function saveClient(q: Queryable, c: Client, replace = false): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO auth_client (client_id, type, name, secret_hash, jwks, jwks_url, redirect_uris, scopes, roles, organisation, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (client_id) DO ${
       replace
         ? `UPDATE SET type = EXCLUDED.type, name = EXCLUDED.name, secret_hash = EXCLUDED.secret_hash, jwks = EXCLUDED.jwks, jwks_url = EXCLUDED.jwks_url,
            redirect_uris = EXCLUDED.redirect_uris, scopes = EXCLUDED.scopes, roles = EXCLUDED.roles, organisation = EXCLUDED.organisation, enabled = EXCLUDED.enabled`
         : 'NOTHING'
     } RETURNING client_id`,
    [c.clientId, c.type, c.name ?? null, c.secretHash ?? null, c.jwks ? JSON.stringify(c.jwks) : null, c.jwksUrl ?? null, JSON.stringify(c.redirectUris), c.scopes, JSON.stringify(c.roles), c.organisation ?? null, c.enabled],
  );
  return rows.length > 0;
}

export async function setClientEnabled(q: Queryable, clientId: string, enabled: boolean): Promise<boolean> {
  return (await q.query('UPDATE auth_client SET enabled = $2 WHERE client_id = $1 RETURNING client_id', [clientId, enabled])).length > 0;
}

export async function findUser(q: Queryable, username: string): Promise<User | undefined> {
  const [row] = await q.query<UserRow>('SELECT * FROM auth_user WHERE username = $1', [username]);
  return row && userOf(row);
}

export async function listUsers(q: Queryable): Promise<User[]> {
  return (await q.query<UserRow>('SELECT * FROM auth_user ORDER BY username')).map(userOf);
}

/** A user as created: the account's identity, before any login state exists. */
export type NewUser = Pick<User, 'username' | 'name' | 'passwordHash' | 'roles' | 'fhirUser' | 'organisation'> & {
  /** One-time password: must be changed at first login, and expires at this time. */
  oneTimeUntil?: Date;
};

/** Inserts the user unless one with that name exists; true when inserted. */
export async function createUser(q: Queryable, u: NewUser): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO auth_user (username, name, password_hash, roles, fhir_user, organisation, must_change_password, password_expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING RETURNING username`,
    [u.username, u.name, u.passwordHash, JSON.stringify(u.roles), u.fhirUser ?? null, u.organisation ?? null, u.oneTimeUntil !== undefined, u.oneTimeUntil ?? null],
  );
  return rows.length > 0;
}

export async function setUserFhirUser(q: Queryable, username: string, fhirUser: string): Promise<void> {
  await q.query('UPDATE auth_user SET fhir_user = $2 WHERE username = $1', [username, fhirUser]);
}

export async function setUserEnabled(q: Queryable, username: string, enabled: boolean): Promise<boolean> {
  return (await q.query('UPDATE auth_user SET enabled = $2 WHERE username = $1 RETURNING username', [username, enabled])).length > 0;
}

/** A new password; `oneTimeUntil` makes it a one-time password (reset by an administrator). Clears any lockout. */
export async function setPassword(q: Queryable, username: string, passwordHash: string, oneTimeUntil?: Date): Promise<boolean> {
  const rows = await q.query(
    `UPDATE auth_user SET password_hash = $2, must_change_password = $3, password_expires_at = $4, password_changed_at = now(),
       failed_logins = 0, locked_until = NULL WHERE username = $1 RETURNING username`,
    [username, passwordHash, oneTimeUntil !== undefined, oneTimeUntil ?? null],
  );
  return rows.length > 0;
}

/** Failures before an account is locked, and for how long (等保 level 3). */
export const MAX_FAILURES = 5;
export const LOCKOUT_MINUTES = 15;

/** Counts a failed login; the fifth in a row locks the account for 15 minutes (a lapsed lock starts the count again). */
export async function recordFailure(q: Queryable, username: string): Promise<{ locked: boolean }> {
  const rows = await q.query<{ locked: boolean }>(
    `UPDATE auth_user SET failed_logins = CASE WHEN locked_until <= now() THEN 1 ELSE failed_logins + 1 END,
       locked_until = CASE WHEN (CASE WHEN locked_until <= now() THEN 1 ELSE failed_logins + 1 END) >= $2 THEN now() + make_interval(mins => $3) ELSE NULL END
     WHERE username = $1 RETURNING locked_until IS NOT NULL AS locked`,
    [username, MAX_FAILURES, LOCKOUT_MINUTES],
  );
  return { locked: rows[0]?.locked === true };
}

export async function recordSuccess(q: Queryable, username: string): Promise<void> {
  await q.query('UPDATE auth_user SET failed_logins = 0, locked_until = NULL WHERE username = $1', [username]);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * After a login through the trusted external issuer: the account's password lives there, so a
 * pending one-time password is voided (no local password works until an administrator resets one).
 */
export async function voidOneTimePassword(q: Queryable, username: string, unusableHash: string): Promise<void> {
  await q.query('UPDATE auth_user SET password_hash = $2, must_change_password = false, password_expires_at = NULL WHERE username = $1 AND must_change_password', [username, unusableHash]);
}
