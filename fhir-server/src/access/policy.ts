import { isUnrestricted, type Principal, type Role } from '../auth/principal.js';
import { parseScopes, scopesFor, type ParsedScopes, type ResourceScope, type ScopeInteraction } from '../auth/scopes.js';
import { resourceTypes } from '../definitions/r4.js';
import { compartmentParams, compartmentTypes } from '../search/compartments.js';
import { parseSearch, type Filter } from '../search/parse.js';
import { searchParamsFor } from '../search/search-parameters.js';
import { SUPPORTING_INFO_PARAM } from '../workflows/referral/vocabulary.js';
import { breakGlassGrants } from './break-glass.js';
import { groupOf } from './groups.js';
import { LABEL_RULES, ORG_RESTRICTED_ROLES, RESERVED_TYPES, ROLE_GRANTS, type CrossOrg } from './rules.js';

/** What access control needs from the configuration. */
export interface AccessSettings {
  readonly crossOrg: CrossOrg;
}

/**
 * Whether a principal may perform an interaction on a type, and if so the filters (ANDed) that
 * every resource it touches must match: the patient compartment of a patient-scoped token, a v2
 * scope's query restriction, the confidentiality labels its roles may not see, the organisation
 * rule. `reason` says which rule refused: the scopes (the client asked for too little) or the
 * roles (the user may not, whatever the client asks). `reach`: the filters without the
 * confidentiality labels — the part of the type the principal works on (a patient, a scope's
 * restriction, an organisation); what it writes must stay inside it, while a label only hides
 * existing records (a clinician may create a record labelled V that she cannot read back).
 * `partial`: `reach` is not the whole type.
 */
export type Decision =
  | { readonly allowed: false; readonly reason: 'scope' | 'role' }
  | { readonly allowed: true; readonly filters: Filter[]; readonly reach: Filter[]; readonly partial: boolean };

const UNRESTRICTED: Decision = Object.freeze({ allowed: true, filters: [] as Filter[], reach: [] as Filter[], partial: false });

export function decide(principal: Principal, settings: AccessSettings, type: string, interaction: ScopeInteraction): Decision {
  if (isUnrestricted(principal)) return UNRESTRICTED;
  const reserved = RESERVED_TYPES[type];
  if (reserved && !principal.roles.some((r) => reserved.includes(r))) return { allowed: false, reason: 'role' };
  const scopes = scopesFor(scopesOf(principal), type, interaction);
  const grantingRoles = principal.roles.filter((role) => roleGrants(role, type, interaction));
  // A user acts through roles; one without any is a patient (or a caregiver) and only ever reaches a launch patient's record.
  if (principal.kind === 'user' && grantingRoles.length === 0 && !(principal.roles.length === 0 && scopes.length > 0 && scopes.every((s) => s.context === 'patient'))) {
    return { allowed: false, reason: 'role' };
  }
  const alternatives: Filter[][] = [];
  for (const scope of scopes) {
    const filters = scopeFilters(principal, scope, type);
    if (filters) alternatives.push(filters);
  }
  if (alternatives.length === 0) return { allowed: false, reason: 'scope' };
  const filters: Filter[] = alternatives.some((a) => a.length === 0) ? [] : alternatives.length === 1 ? [...(alternatives[0] as Filter[])] : [{ kind: 'any', alternatives }];
  const glass = breakGlassFilters(principal, type);
  if (principal.kind === 'user' && settings.crossOrg === 'shared-only' && grantingRoles.length > 0 && grantingRoles.every((r) => ORG_RESTRICTED_ROLES.includes(r))) {
    filters.push(...orBreakGlass(organisationFilters(principal.organisation, type), glass));
  }
  const reach = [...filters];
  filters.push(...orBreakGlass(labelFilters(principal, type), glass));
  return { allowed: true, filters, reach, partial: reach.length > 0 };
}

/**
 * One filter for a search over several types (the system level, a compartment's `*`, `$everything`):
 * each permitted type with its own filters, types with the same filters together. Undefined
 * when nothing is filtered; `types` undefined means every type.
 */
export function acrossTypes(principal: Principal, settings: AccessSettings, types: readonly string[] | undefined, interaction: ScopeInteraction): Filter | undefined {
  if (isUnrestricted(principal)) return undefined;
  const groups = new Map<string, { types: string[]; filters: Filter[] }>();
  for (const type of types ?? resourceTypes()) {
    const decision = decide(principal, settings, type, interaction);
    if (!decision.allowed) continue;
    const key = JSON.stringify(decision.filters);
    const group = groups.get(key) ?? { types: [], filters: decision.filters };
    group.types.push(type);
    groups.set(key, group);
  }
  return { kind: 'any', alternatives: [...groups.values()].map((g) => [{ kind: 'type', types: g.types }, ...g.filters]) };
}

const parsedScopes = new WeakMap<Principal, ParsedScopes>();

function scopesOf(principal: Principal): ParsedScopes {
  let parsed = parsedScopes.get(principal);
  if (!parsed) {
    parsed = parseScopes(principal.scopes);
    parsedScopes.set(principal, parsed);
  }
  return parsed;
}

function roleGrants(role: Role, type: string, interaction: ScopeInteraction): boolean {
  const group = groupOf(type);
  return ROLE_GRANTS[role].some((g) => g.interactions.includes(interaction) && ((g.types?.includes(type) ?? false) || (g.groups?.includes(group) ?? false)));
}

/** Types a patient-scoped token reaches outside the compartment: directories, conformance, shared catalogues. */
const PATIENT_SCOPE_SHARED = new Set(['Medication', 'Substance', 'Device']);

/** The filters one scope imposes on `type`, or undefined when the scope cannot apply (a patient scope without a launch patient). */
function scopeFilters(principal: Principal, scope: ResourceScope, type: string): Filter[] | undefined {
  const filters: Filter[] = [];
  if (scope.context === 'patient') {
    if (!principal.patient) return undefined;
    if (type === 'Patient') filters.push({ kind: 'id', ids: [principal.patient], not: false });
    else if ((compartmentParams('Patient', type) ?? []).length > 0) filters.push(patientCompartment(principal.patient));
    else if (!(groupOf(type) !== 'clinical' || PATIENT_SCOPE_SHARED.has(type))) return undefined;
  }
  if (scope.query.length > 0) {
    try {
      filters.push(...parseSearch(type, scope.query.map(([n, v]) => [n, v])).filters);
    } catch {
      // A restriction that does not apply to this type (a `*` scope's parameter it lacks) permits nothing of it.
      return undefined;
    }
  }
  return filters;
}

let compartmentUnion: string[] | undefined;

/**
 * Membership of a patient's compartment by any of the compartment's reference parameters. The
 * parameters of all types together: index rows are per type, so a type only matches by its own
 * parameters, and every one of them is a reference to this patient — one condition for any mix of types.
 */
export function patientCompartment(patient: string): Filter {
  compartmentUnion ??= [...new Set(compartmentTypes('Patient').flatMap((t) => compartmentParams('Patient', t) ?? []))];
  return { kind: 'compartment', params: compartmentUnion, type: 'Patient', id: patient, self: false };
}

/** The patients the principal holds an emergency grant for, as filters on `type` (none for non-patient data). */
function breakGlassFilters(principal: Principal, type: string): Filter[] {
  const grants = breakGlassGrants(principal);
  if (grants.length === 0) return [];
  const patients = [...new Set(grants.map((g) => g.patient))];
  if (type === 'Patient') return [{ kind: 'id', ids: patients, not: false }];
  if ((compartmentParams('Patient', type) ?? []).length === 0) return [];
  return patients.map(patientCompartment);
}

/** A rule's filters, or any of the emergency grants' patients instead. */
function orBreakGlass(filters: Filter[], glass: Filter[]): Filter[] {
  if (filters.length === 0 || glass.length === 0) return filters;
  return [{ kind: 'any', alternatives: [filters, ...glass.map((g) => [g])] }];
}

function labelFilters(principal: Principal, type: string): Filter[] {
  const hidden = LABEL_RULES.filter((rule) => !principal.roles.some((r) => rule.roles.includes(r)));
  if (hidden.length === 0) return [];
  return parseSearch(type, [['_security:not', hidden.map((r) => `${r.system}|${r.code}`).join(',')]]).filters;
}

/**
 * `shared-only`: the patient is managed by the user's organisation, or shared with it by a
 * Consent naming it as actor or an encounter there — the whole record. A referral
 * (ServiceRequest) to it shares less: the request itself and what is based on it (its Task, the
 * booking, the results of the referred work), and once it is sent (active or completed) the
 * patient's demographics and what it lists as supportingInfo (what travels with the patient).
 */
function organisationFilters(organisation: string | undefined, type: string): Filter[] {
  if (!organisation) return [{ kind: 'any', alternatives: [] }];
  const of = (t: string, pairs: string[][]): Filter[][] => pairs.map(([name, value]) => parseSearch(t, [[name as string, value as string]]).filters);
  const ofPatient: Filter = {
    kind: 'any',
    alternatives: of('Patient', [
      ['organization', organisation],
      ['_has:Consent:patient:actor', organisation],
      ['_has:Encounter:subject:service-provider', organisation],
    ]),
  };
  const sentReferral = (param: string): Filter => ({
    kind: 'has',
    sourceType: 'ServiceRequest',
    param,
    filter: { kind: 'any', alternatives: [parseSearch('ServiceRequest', [['performer', organisation], ['status', 'active,completed']]).filters] },
  });
  if (type === 'Patient') return [{ kind: 'any', alternatives: [[ofPatient], [sentReferral('subject')]] }];
  const params = compartmentParams('Patient', type) ?? [];
  // Not patient data: the organisation rule does not apply.
  if (params.length === 0) return [];
  const referred = [
    [sentReferral(SUPPORTING_INFO_PARAM)],
    ...of(type, [
      ...(type === 'ServiceRequest' ? [['performer', organisation]] : []),
      ...(searchParamsFor(type).get('based-on')?.targets.includes('ServiceRequest') ? [['based-on:ServiceRequest.performer', organisation]] : []),
    ]),
  ];
  return [{ kind: 'any', alternatives: [...params.map((param): Filter[] => [{ kind: 'chain', param, targets: [{ type: 'Patient', filter: ofPatient }] }]), ...referred] }];
}
