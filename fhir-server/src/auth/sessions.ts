import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Queryable } from '../repository/db.js';
import { AUTH_PATH } from './urls.js';
import { sha256 } from './tokens.js';

/** 等保 level 3: a login session ends after 30 minutes without activity. */
export const IDLE_MINUTES = 30;
const COOKIE = 'qiao_sid';

export interface Session {
  idHash: string;
  username?: string;
  csrf: string;
  /** The authorize request waiting for login and consent (JSON of PendingRequest). */
  request?: string;
}

interface SessionRow {
  id_hash: string;
  username: string | null;
  csrf: string;
  request: string | null;
}

function cookieValue(req: Request): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function setCookie(req: Request, res: Response, value: string, maxAgeSeconds?: number): void {
  const attributes = [`${COOKIE}=${value}`, `Path=${AUTH_PATH}`, 'HttpOnly', 'SameSite=Lax'];
  if (req.secure) attributes.push('Secure');
  if (maxAgeSeconds !== undefined) attributes.push(`Max-Age=${maxAgeSeconds}`);
  res.append('Set-Cookie', attributes.join('; '));
}

/** The live session of the request's cookie, touched (its idle clock restarts); expired sessions are deleted. */
export async function currentSession(q: Queryable, req: Request): Promise<Session | undefined> {
  const value = cookieValue(req);
  if (!value) return undefined;
  const idHash = sha256(value);
  await q.query(`DELETE FROM auth_session WHERE last_seen < now() - make_interval(mins => $1)`, [IDLE_MINUTES]);
  const [row] = await q.query<SessionRow>('UPDATE auth_session SET last_seen = now() WHERE id_hash = $1 RETURNING id_hash, username, csrf, request', [idHash]);
  return row ? sessionOf(row) : undefined;
}

function sessionOf(row: SessionRow): Session {
  return { idHash: row.id_hash, ...(row.username ? { username: row.username } : {}), csrf: row.csrf, ...(row.request ? { request: row.request } : {}) };
}

/** The request's session, or a new anonymous one (cookie set). */
export async function ensureSession(q: Queryable, req: Request, res: Response): Promise<Session> {
  return (await currentSession(q, req)) ?? newSession(q, req, res, undefined, undefined);
}

async function newSession(q: Queryable, req: Request, res: Response, username: string | undefined, request: string | undefined): Promise<Session> {
  const value = randomBytes(32).toString('base64url');
  const row: SessionRow = { id_hash: sha256(value), username: username ?? null, csrf: randomBytes(24).toString('base64url'), request: request ?? null };
  await q.query('INSERT INTO auth_session (id_hash, username, csrf, request) VALUES ($1, $2, $3, $4)', [row.id_hash, row.username, row.csrf, row.request]);
  setCookie(req, res, value);
  return sessionOf(row);
}

/** After a successful login: a new session id and CSRF token (no session fixation), keeping the pending request. */
export async function loginSession(q: Queryable, req: Request, res: Response, old: Session, username: string): Promise<Session> {
  await q.query('DELETE FROM auth_session WHERE id_hash = $1', [old.idHash]);
  return newSession(q, req, res, username, old.request);
}

export async function setPendingRequest(q: Queryable, session: Session, request: string | undefined): Promise<void> {
  await q.query('UPDATE auth_session SET request = $2 WHERE id_hash = $1', [session.idHash, request ?? null]);
  session.request = request;
}

export async function endSession(q: Queryable, req: Request, res: Response, session: Session): Promise<void> {
  await q.query('DELETE FROM auth_session WHERE id_hash = $1', [session.idHash]);
  setCookie(req, res, '', 0);
}

/** Whether a posted form carries the session's CSRF token. */
export function csrfMatches(session: Session, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
