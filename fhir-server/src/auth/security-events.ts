import type { Logger } from '../http/logger.js';

/** Security events of 等保 level 3 that the audit trail must hold besides data access. */
export interface SecurityEvent {
  action: 'login' | 'login-failed' | 'logout' | 'password-change' | 'token-issued' | 'token-revoked' | 'admin';
  username?: string;
  clientId?: string;
  /** For admin actions: what was done to what, e.g. `user.create nurse1`. */
  detail?: string;
  ip?: string;
}

/**
 * The one place authentication reports security events. It writes a structured log line today;
 * the audit helper's recorder (src/audit/) is to be called from here once it exports one, so
 * that logins, failures, logouts, password changes and admin actions become AuditEvents.
 */
export function recordSecurityEvent(logger: Logger, event: SecurityEvent): void {
  logger.log(event.action === 'login-failed' ? 'warn' : 'info', 'security event', { ...event });
}
