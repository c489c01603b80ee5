import type { Request, Response } from 'express';
import { originOf, recordSecurityEvent, type SecurityEvent } from '../audit/index.js';
import type { Queryable } from '../repository/db.js';
import type { AuthServer } from './context.js';

export type AuthEvent = Omit<SecurityEvent, 'origin'>;

/**
 * The one place authentication reports security events (logins and their failures, lockouts,
 * logouts, password changes, tokens issued and revoked, admin actions): an AuditEvent through the
 * audit trail, with the HTTP request as its origin. Awaited: an event that cannot be recorded fails
 * the action it records (等保 level 3 wants no unaudited login). With `q`, in that transaction.
 */
export function recordAuthEvent(server: AuthServer, req: Request, res: Response, event: AuthEvent, q?: Queryable): Promise<void> {
  return recordSecurityEvent(server.ctx, { ...event, origin: originOf(req, res) }, q);
}

/**
 * Runs an account change and records it in one transaction: if the record cannot be written the
 * change rolls back, and a change that throws (or rolls back) leaves no record. `events` says what
 * to record once the change's result is known (none, one, or several: a failed login that locks
 * the account is two). Inside `change`, use only `q`: PGlite has one connection.
 */
export function auditedChange<T>(server: AuthServer, req: Request, res: Response, change: (q: Queryable) => Promise<T>, events: (result: T) => readonly AuthEvent[]): Promise<T> {
  return server.ctx.db.transaction(async (q) => {
    const result = await change(q);
    for (const event of events(result)) await recordAuthEvent(server, req, res, event, q);
    return result;
  });
}
