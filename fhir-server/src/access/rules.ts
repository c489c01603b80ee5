import type { Role } from '../auth/principal.js';
import type { ScopeInteraction } from '../auth/scopes.js';

/**
 * The access rules as data (docs/access.md renders them as tables). Code in this folder only
 * interprets them; changing who may do what is an edit here.
 */

/** Types that are not clinical data: directories of people and places, and conformance resources. */
export const TYPE_GROUPS = {
  reference: ['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'HealthcareService', 'Endpoint', 'OrganizationAffiliation'],
  conformance: [
    'CapabilityStatement', 'StructureDefinition', 'StructureMap', 'ImplementationGuide', 'SearchParameter', 'OperationDefinition',
    'CompartmentDefinition', 'CodeSystem', 'ValueSet', 'ConceptMap', 'NamingSystem', 'TerminologyCapabilities', 'MessageDefinition', 'GraphDefinition',
  ],
  audit: ['AuditEvent'],
} as const satisfies Record<string, readonly string[]>;

/** `clinical` is every type outside the named groups: a type added later is clinical (closed by default). */
export type TypeGroup = keyof typeof TYPE_GROUPS | 'clinical';

const READ: readonly ScopeInteraction[] = ['r', 's'];
const ALL: readonly ScopeInteraction[] = ['c', 'r', 'u', 'd', 's'];

export interface Grant {
  readonly groups?: readonly TypeGroup[];
  readonly types?: readonly string[];
  readonly interactions: readonly ScopeInteraction[];
}

/**
 * What each role may do, before scopes narrow it further. Administrator, security officer and
 * auditor are separated (三员分立): the administrator keeps the directories and configuration
 * and reads no clinical data; the security officer manages who holds which role
 * (PractitionerRole); the auditor alone reads audit records.
 */
export const ROLE_GRANTS: Readonly<Record<Role, readonly Grant[]>> = {
  clinician: [
    { groups: ['clinical'], interactions: ALL },
    { groups: ['reference', 'conformance'], interactions: READ },
  ],
  radiologist: [
    { groups: ['clinical', 'reference', 'conformance'], interactions: READ },
    { types: ['ImagingStudy', 'DiagnosticReport', 'Observation', 'Media', 'Binary', 'Provenance'], interactions: ['c', 'u'] },
  ],
  'ecg-reader': [
    { groups: ['clinical', 'reference', 'conformance'], interactions: READ },
    { types: ['DiagnosticReport', 'Observation', 'Media', 'Binary', 'Provenance'], interactions: ['c', 'u'] },
  ],
  'registry-analyst': [
    { groups: ['clinical', 'reference', 'conformance'], interactions: READ },
    // The registry review: a step is an update of the case's review Task (docs/registries.md 1.3).
    { types: ['Task'], interactions: ['u'] },
  ],
  administrator: [{ groups: ['reference', 'conformance'], interactions: ALL }],
  'security-officer': [
    { groups: ['reference', 'conformance'], interactions: READ },
    { types: ['PractitionerRole'], interactions: ALL },
  ],
  auditor: [
    { groups: ['audit'], interactions: READ },
    { groups: ['reference'], interactions: READ },
  ],
};

/** Types only these roles reach, whatever a client's scopes say (a backend client needs the role too). */
export const RESERVED_TYPES: Readonly<Record<string, readonly Role[]>> = {
  AuditEvent: ['auditor'],
};

export const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

/**
 * Confidentiality labels (meta.security) that hide a resource, and the roles that still see it.
 * R (restricted, e.g. psychiatric records) is for treating clinicians; V (very restricted) for
 * nobody but the server itself and development mode.
 */
export const LABEL_RULES: readonly { readonly system: string; readonly code: string; readonly roles: readonly Role[] }[] = [
  { system: CONFIDENTIALITY, code: 'R', roles: ['clinician'] },
  { system: CONFIDENTIALITY, code: 'V', roles: [] },
];

/** Identifier systems and telecom kinds masked on output (脱敏), and how many characters stay visible at each end. */
export const MASKED_IDENTIFIERS: readonly { readonly system: string; readonly keepStart: number; readonly keepEnd: number }[] = [
  { system: 'urn:oid:2.16.156.10011.1.3', keepStart: 3, keepEnd: 4 }, // 居民身份证号 GB 11643
];
export const MASKED_TELECOM: readonly { readonly system: string; readonly keepStart: number; readonly keepEnd: number }[] = [
  { system: 'phone', keepStart: 3, keepEnd: 4 },
  { system: 'sms', keepStart: 3, keepEnd: 4 },
];

/** Types whose identifiers and telecom are personal data. */
export const PERSON_TYPES: readonly string[] = ['Patient', 'Practitioner', 'RelatedPerson', 'Person'];

/**
 * How each role sees personal identifiers: `full`, `masked` (`110***********1234`), or
 * `pseudonym` (research: identifiers replaced by the HMAC-SM3 pseudonym, names and contact
 * details removed). `masked-other-org`: full for patients of the user's own organisation,
 * masked for others. Principals without a role (backend clients) see identifiers in full;
 * the server itself and development mode always do.
 */
export type Masking = 'full' | 'masked' | 'masked-other-org' | 'pseudonym';
export const ROLE_MASKING: Readonly<Record<Role, Masking>> = {
  clinician: 'masked-other-org',
  radiologist: 'masked',
  'ecg-reader': 'masked',
  'registry-analyst': 'pseudonym',
  administrator: 'masked',
  'security-officer': 'masked',
  auditor: 'masked',
};

/**
 * Cross-institution rule for clinical roles (`QIAO_CROSS_ORG`): `open` — any clinician of the
 * network may view any patient (the tenders' model; every access audited); `shared-only` — only
 * patients managed by the user's organisation or shared with it (a Consent naming the
 * organisation as actor, or a ServiceRequest referring the patient to it).
 */
export type CrossOrg = 'open' | 'shared-only';
export const ORG_RESTRICTED_ROLES: readonly Role[] = ['clinician', 'radiologist', 'ecg-reader'];

/**
 * Emergency access (break-glass, 紧急访问): the roles that may request it, for one patient at a
 * time, and how long a grant lasts. It opens what the organisation rule and the confidentiality
 * labels hide, for that patient only; scopes still apply. Every access under it is audited with
 * purpose of use BTG (HL7 v3 ActReason) and the reason.
 */
export const BREAK_GLASS: { readonly roles: readonly Role[]; readonly hours: number } = {
  roles: ['clinician'],
  hours: 4,
};
