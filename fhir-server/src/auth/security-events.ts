import type { Request, Response } from 'express';
import { originOf, recordSecurityEvent, type SecurityEvent } from '../audit/index.js';
import type { AuthServer } from './context.js';

/**
 * The one place authentication reports security events (logins and their failures, lockouts,
 * logouts, password changes, tokens issued and revoked, admin actions): an AuditEvent through the
 * audit trail, with the HTTP request as its origin. Awaited: an event that cannot be recorded fails
 * the action it records (等保 level 3 wants no unaudited login).
 */
export function recordAuthEvent(server: AuthServer, req: Request, res: Response, event: Omit<SecurityEvent, 'origin'>): Promise<void> {
  return recordSecurityEvent(server.ctx, { ...event, origin: originOf(req, res) });
}
