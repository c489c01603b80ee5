import { FhirError } from '../errors/fhir-error.js';
import type { Method, ParsedPath } from '../router/types.js';

/**
 * Audit records are written by the server alone and never change: creating, updating, patching
 * or deleting an AuditEvent through the API is refused for everyone, administrators included.
 */
export function assertAuditWritable(path: ParsedPath, method: Method | string): void {
  // Searches by POST and operations ($validate) change nothing: only the plain write interactions are refused.
  if (path.type !== 'AuditEvent' || method === 'GET' || method === 'HEAD' || path.keyword !== undefined) return;
  throw new FhirError('audit.immutable', { method });
}
