import { resourceTypes } from '../definitions/r4.js';

/**
 * The audit trail grows with every request, reads included, and only the auditor may read it. It
 * is reached by name only — `AuditEvent?…`, `_type=AuditEvent`, `Patient/1/AuditEvent`,
 * `AuditEvent/_history` — and left out wherever a client asks for "everything": system history,
 * a system or compartment search without `_type`, `$everything`, an export without `_type`.
 * The Patient CompartmentDefinition itself stays as R4 publishes it.
 */
export const AUDIT_TRAIL_TYPE = 'AuditEvent';

export function withoutAuditTrail(types: readonly string[]): string[] {
  return types.filter((t) => t !== AUDIT_TRAIL_TYPE);
}

let everyOtherType: string[] | undefined;

/** Every resource type but the audit trail: the types of a search that names none. */
export function typesButAuditTrail(): string[] {
  return (everyOtherType ??= withoutAuditTrail(resourceTypes()));
}
