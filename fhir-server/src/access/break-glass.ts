import { randomUUID } from 'node:crypto';
import type { CodeableConcept, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { isUnrestricted, type Principal } from '../auth/principal.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../router/types.js';
import { decide } from './policy.js';
import { BREAK_GLASS } from './rules.js';

/** HL7 v3 ActReason BTG: the purpose of use every access under an emergency grant is recorded with. */
export const BTG = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'break the glass' } as const;

export interface BreakGlassGrant {
  readonly patient: string;
  readonly reason: string;
  readonly expires: string;
}

/** The live grants of each request's principal (a principal is made per request from its token). */
const grants = new WeakMap<Principal, readonly BreakGlassGrant[]>();

const mayBreakGlass = (p: Principal) => p.kind === 'user' && p.username !== undefined && p.roles.some((r) => BREAK_GLASS.roles.includes(r));

/**
 * Loads the user's live emergency grants once per request (one indexed query, only for users of
 * a role that may hold them); `decide` and the audit record read them from then on.
 */
export async function loadBreakGlass(q: Queryable, principal: Principal): Promise<void> {
  if (grants.has(principal)) return;
  if (!mayBreakGlass(principal)) {
    grants.set(principal, []);
    return;
  }
  const rows = await q.query<{ patient_id: string; reason: string; expires_at: Date | string }>(
    'SELECT patient_id, reason, expires_at FROM access_break_glass WHERE username = $1 AND expires_at > now() ORDER BY granted_at',
    [principal.username],
  );
  grants.set(principal, rows.map((r) => ({ patient: r.patient_id, reason: r.reason, expires: new Date(r.expires_at).toISOString() })));
}

/** The patients the principal holds a live emergency grant for (empty unless loaded). */
export function breakGlassGrants(principal: Principal): readonly BreakGlassGrant[] {
  return grants.get(principal) ?? [];
}

/** The purpose of use of a record about these patients: BTG with the reasons, when any is reached under a grant. */
export function breakGlassPurpose(principal: Principal, patients: readonly string[]): CodeableConcept | undefined {
  const used = breakGlassGrants(principal).filter((g) => patients.includes(g.patient));
  if (used.length === 0) return undefined;
  return { coding: [{ ...BTG }], text: [...new Set(used.map((g) => g.reason))].join('; ') };
}

const text = (req: FhirRequest, name: string): string | undefined => {
  const body = req.body as Parameters | undefined;
  const part = body?.resourceType === 'Parameters' ? body.parameter?.find((p) => p.name === name) : undefined;
  const value = part?.valueString ?? req.query.find(([n]) => n === name)?.[1];
  return value?.trim() || undefined;
};

/**
 * `POST Patient/{id}/$break-glass` (reason): grants the calling user access to that patient for
 * BREAK_GLASS.hours, whatever the organisation rule and the confidentiality labels say. The
 * operation's own audit record carries purpose of use BTG and the reason, as does every access
 * under the grant.
 */
export async function breakGlass(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const principal = req.principal;
  if (!mayBreakGlass(principal)) throw new FhirError('access.break-glass-role', { roles: BREAK_GLASS.roles.join(', ') });
  // A grant widens a role's reach, never a token's scopes.
  const decision = decide(principal, ctx.config, 'Patient', 'r');
  if (!decision.allowed) throw new FhirError(decision.reason === 'scope' ? 'access.scope-insufficient' : 'access.role-forbidden', { type: 'Patient', interaction: 'read (r)' });
  const reason = text(req, 'reason');
  if (!reason) throw new FhirError('access.break-glass-reason', {}, 'Parameters.parameter.where(name = \'reason\')');
  const patient = path.id as string;
  const [exists] = await q.query("SELECT 1 FROM resource WHERE resource_type = 'Patient' AND id = $1 AND NOT deleted", [patient]);
  if (!exists) throw new FhirError('resource.not-found', { type: 'Patient', id: patient });
  const id = randomUUID();
  const [row] = await q.query<{ expires_at: Date | string }>(
    'INSERT INTO access_break_glass (id, username, patient_id, reason, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5)) RETURNING expires_at',
    [id, principal.username, patient, reason.slice(0, 1000), BREAK_GLASS.hours],
  );
  const expires = new Date((row as { expires_at: Date | string }).expires_at).toISOString();
  // This request's own record already counts as an access under the grant.
  grants.set(principal, [...breakGlassGrants(principal), { patient, reason, expires }]);
  return { status: 200, body: { resourceType: 'Parameters', parameter: grantParts({ id, username: principal.username as string, patient, reason, granted: new Date().toISOString(), expires }) } };
}

interface GrantRow {
  id: string;
  username: string;
  patient: string;
  reason: string;
  granted: string;
  expires: string;
}

function grantParts(g: GrantRow): ParametersParameter[] {
  return [
    { name: 'grant', valueString: g.id },
    { name: 'user', valueString: g.username },
    { name: 'patient', valueReference: { reference: `Patient/${g.patient}` } },
    { name: 'reason', valueString: g.reason },
    { name: 'purposeOfUse', valueCoding: { ...BTG } },
    { name: 'granted', valueDateTime: g.granted },
    { name: 'expires', valueDateTime: g.expires },
  ];
}

/**
 * `GET $break-glass-grants` (`active=true` for live ones only, `patient`, `user`): every emergency
 * grant, newest first, for the security officer (and the auditor). The accesses made under them
 * are in the audit trail.
 */
export async function breakGlassGrantList(_ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const p = req.principal;
  if (!isUnrestricted(p) && !p.roles.some((r) => r === 'security-officer' || r === 'auditor')) throw new FhirError('access.break-glass-officer');
  const param = (name: string) => req.query.find(([n]) => n === name)?.[1];
  const rows = await q.query<{ id: string; username: string; patient_id: string; reason: string; granted_at: Date | string; expires_at: Date | string }>(
    `SELECT id, username, patient_id, reason, granted_at, expires_at FROM access_break_glass
     WHERE ($1::text IS NULL OR patient_id = $1) AND ($2::text IS NULL OR username = $2) AND (NOT $3::boolean OR expires_at > now())
     ORDER BY granted_at DESC LIMIT 1000`,
    [param('patient')?.replace(/^Patient\//, '') ?? null, param('user') ?? null, param('active') === 'true'],
  );
  const parameter = rows.map((r) => ({
    name: 'grant',
    part: grantParts({ id: r.id, username: r.username, patient: r.patient_id, reason: r.reason, granted: new Date(r.granted_at).toISOString(), expires: new Date(r.expires_at).toISOString() }),
  }));
  return { status: 200, body: { resourceType: 'Parameters', ...(parameter.length ? { parameter } : {}) } };
}
