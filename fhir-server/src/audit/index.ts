/** The audit trail (等保 level 3): what other parts of the server call. See docs/audit.md. */
export { recordSecurityEvent, type SecurityEvent, type SecurityEventKind } from './security.js';
export { noteForAudit, originOf, withOrigin } from './scope.js';
export { auditLog } from './log.js';
export { verifyChain, DEFAULT_LINK_GRACE_SECONDS, type VerifyResult, type BrokenLink } from './verify.js';
export { linkPending } from './chain.js';
export { purgeAudit, MIN_RETENTION_DAYS } from './retention.js';
export type { RequestOrigin } from './event.js';
