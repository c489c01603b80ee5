import type { Coding } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL, type Principal } from '../auth/principal.js';
import type { Queryable } from '../repository/db.js';
import type { Context } from '../router/types.js';
import { AUDIT, auditEvent, type AuditAction, type AuditData, type RequestOrigin } from './event.js';
import { auditLog } from './log.js';
import { currentOrigin } from './scope.js';

/** The security events of 等保 level 3 (login, account administration), as data: DICOM event type, subtype, action. */
const SECURITY_EVENTS = {
  login: { type: '110114', typeDisplay: 'User Authentication', subtype: { system: AUDIT.dcm, code: '110122', display: 'Login' }, action: 'E' },
  logout: { type: '110114', typeDisplay: 'User Authentication', subtype: { system: AUDIT.dcm, code: '110123', display: 'Logout' }, action: 'E' },
  lockout: { type: '110114', typeDisplay: 'User Authentication', subtype: { system: AUDIT.qiaoEvent, code: 'lockout', display: '账户锁定 | Account locked' }, action: 'U' },
  'session-timeout': { type: '110114', typeDisplay: 'User Authentication', subtype: { system: AUDIT.qiaoEvent, code: 'session-timeout', display: '会话超时 | Session timed out' }, action: 'E' },
  'token-issued': { type: '110114', typeDisplay: 'User Authentication', subtype: { system: AUDIT.qiaoEvent, code: 'token-issued', display: '签发令牌 | Access token issued' }, action: 'E' },
  'token-revoked': { type: '110114', typeDisplay: 'User Authentication', subtype: { system: AUDIT.qiaoEvent, code: 'token-revoked', display: '撤销令牌 | Token revoked' }, action: 'D' },
  'access-denied': { type: '110113', typeDisplay: 'Security Alert', subtype: { system: AUDIT.qiaoEvent, code: 'access-denied', display: '拒绝访问 | Access denied' }, action: 'E' },
  'password-change': { type: '110137', typeDisplay: 'User Security Attributes Changed', subtype: { system: AUDIT.qiaoEvent, code: 'password-change', display: '修改密码 | Password changed' }, action: 'U' },
  'password-reset': { type: '110137', typeDisplay: 'User Security Attributes Changed', subtype: { system: AUDIT.qiaoEvent, code: 'password-reset', display: '重置密码 | Password reset' }, action: 'U' },
  'user-created': { type: '110137', typeDisplay: 'User Security Attributes Changed', subtype: { system: AUDIT.qiaoEvent, code: 'user-created', display: '创建用户 | User created' }, action: 'C' },
  'user-changed': { type: '110137', typeDisplay: 'User Security Attributes Changed', subtype: { system: AUDIT.qiaoEvent, code: 'user-changed', display: '修改用户 | User changed' }, action: 'U' },
  'user-disabled': { type: '110137', typeDisplay: 'User Security Attributes Changed', subtype: { system: AUDIT.qiaoEvent, code: 'user-disabled', display: '停用用户 | User disabled' }, action: 'U' },
  'user-unlocked': { type: '110137', typeDisplay: 'User Security Attributes Changed', subtype: { system: AUDIT.qiaoEvent, code: 'user-unlocked', display: '解锁用户 | User unlocked' }, action: 'U' },
  'client-created': { type: '110136', typeDisplay: 'Security Roles Changed', subtype: { system: AUDIT.qiaoEvent, code: 'client-created', display: '注册客户端 | Client registered' }, action: 'C' },
  'client-changed': { type: '110136', typeDisplay: 'Security Roles Changed', subtype: { system: AUDIT.qiaoEvent, code: 'client-changed', display: '修改客户端 | Client changed' }, action: 'U' },
  'admin-action': { type: '110136', typeDisplay: 'Security Roles Changed', subtype: { system: AUDIT.qiaoEvent, code: 'admin-action', display: '管理操作 | Administrative action' }, action: 'U' },
  'client-disabled': { type: '110136', typeDisplay: 'Security Roles Changed', subtype: { system: AUDIT.qiaoEvent, code: 'client-disabled', display: '停用客户端 | Client disabled' }, action: 'U' },
} as const satisfies Record<string, { type: string; typeDisplay: string; subtype: Coding; action: AuditAction }>;

export type SecurityEventKind = keyof typeof SECURITY_EVENTS;

export interface SecurityEvent {
  kind: SecurityEventKind;
  outcome: 'success' | 'failure';
  /** Who acted: the logged-in administrator, the client; for a login, the principal it produced (success) or nothing. */
  principal?: Principal;
  /** The account concerned when no principal says it (a failed login's username, the user an administrator created). */
  username?: string;
  clientId?: string;
  /** Why it failed or what changed, in words (zh-CN | English); never a password. */
  detail?: string;
  /** The HTTP request; defaults to the one being handled, if any. */
  origin?: RequestOrigin;
}

/**
 * Records a login, logout, lockout, password change or account administration event. With `q`
 * the record is written in that transaction (the change it records commits with it); without,
 * in a transaction of its own before the promise resolves.
 */
export async function recordSecurityEvent(ctx: Context, event: SecurityEvent, q?: Queryable): Promise<void> {
  const spec = SECURITY_EVENTS[event.kind];
  const principal = event.principal ?? actingAs(event);
  const data: AuditData[] = [];
  if (event.username && event.username !== principal.username) data.push({ identifier: { system: AUDIT.user, value: event.username }, display: event.username });
  if (event.clientId && event.clientId !== principal.clientId) data.push({ identifier: { system: AUDIT.client, value: event.clientId }, display: event.clientId });
  const origin = event.origin ?? currentOrigin();
  const record = auditEvent({
    type: { system: AUDIT.dcm, code: spec.type, display: spec.typeDisplay },
    subtype: [spec.subtype],
    action: spec.action,
    outcome: event.outcome === 'success' ? '0' : '4',
    ...(event.detail ? { outcomeDesc: event.detail } : {}),
    principal,
    ...(origin ? { origin } : {}),
    patients: [],
    data,
  });
  const log = auditLog(ctx);
  if (q) await log.writeIn(q, [record]);
  else await log.write([record]);
}

/** A failed login has no principal: the attempt is attributed to the username and client it named. */
function actingAs(event: SecurityEvent): Principal {
  if (!event.username && !event.clientId) return SYSTEM_PRINCIPAL;
  return { kind: event.username ? 'user' : 'backend', roles: [], scopes: [], ...(event.username ? { username: event.username } : {}), ...(event.clientId ? { clientId: event.clientId } : {}) };
}
