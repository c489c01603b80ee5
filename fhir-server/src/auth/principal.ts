/**
 * Who is asking: the one value that authentication produces and access control, masking and audit
 * consume. The HTTP layer puts it on every request (`res.locals.principal`), the FHIR handler copies
 * it into `FhirRequest.principal`, and work a request starts inside the server (a batch entry, an
 * operation's reads and writes) carries the same principal on, so nothing escapes the checks.
 */

/** The roles of the tenders; administrator, security officer and auditor are kept apart (三员分立). */
export const ROLES = ['clinician', 'radiologist', 'ecg-reader', 'registry-analyst', 'administrator', 'security-officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /**
   * `user`: a person through an app (authorisation code); `backend`: a client on its own
   * (client_credentials); `system`: the server's own work (demo data, profile install, background
   * jobs); `development`: anyone, when `QIAO_AUTH=off` — full access, no masking, still audited.
   */
  readonly kind: 'user' | 'backend' | 'system' | 'development';
  readonly clientId?: string;
  readonly username?: string;
  /** The user's FHIR resource, e.g. `Practitioner/123` (SMART `fhirUser`). */
  readonly fhirUser?: string;
  readonly roles: readonly Role[];
  /** The organisation the user works for, e.g. `Organization/45`. */
  readonly organisation?: string;
  /** Granted SMART scopes as issued (v1 or v2 syntax, e.g. `patient/Observation.rs?category=laboratory`). */
  readonly scopes: readonly string[];
  /** Launch context: the patient (id) a patient-scoped token is bound to, and the encounter. */
  readonly patient?: string;
  readonly encounter?: string;
  /** The access token's id, for audit and revocation. */
  readonly tokenId?: string;
}

/** The server acting for itself: loading demo data, installing profiles, background jobs. */
export const SYSTEM_PRINCIPAL: Principal = Object.freeze({ kind: 'system', roles: [], scopes: [] });

/** Every caller when authorisation is switched off (development only). */
export const DEVELOPMENT_PRINCIPAL: Principal = Object.freeze({ kind: 'development', roles: [], scopes: [] });

/** Whether the principal is exempt from access rules (the server itself, or authorisation off). */
export function isUnrestricted(principal: Principal): boolean {
  return principal.kind === 'system' || principal.kind === 'development';
}
