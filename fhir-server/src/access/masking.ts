import type { Patient } from '@medplum/fhirtypes';
import type { Principal } from '../auth/principal.js';
import { replacedBy } from '../mpi/links.js';
import { RawJson } from '../router/types.js';
import { derivePseudonym } from '../mpi/pseudonym.js';
import { PSEUDONYM_SYSTEM } from '../mpi/systems.js';
import { MASKED_IDENTIFIERS, MASKED_TELECOM, PERSON_TYPES, ROLE_MASKING, type Masking } from './rules.js';

type Json = Record<string, unknown>;

const REVEALING: readonly Masking[] = ['full', 'masked-other-org', 'masked', 'pseudonym'];

/** How the principal sees personal identifiers: the most revealing of its roles' rules; `full` without roles. */
export function maskingOf(principal: Principal): Masking {
  if (principal.roles.length === 0) return 'full';
  return principal.roles.map((r) => ROLE_MASKING[r]).reduce((a, b) => (REVEALING.indexOf(a) <= REVEALING.indexOf(b) ? a : b));
}

/** `110105199001011234` → `110***********1234`: the ends stay, every character between becomes `*`. */
export function maskValue(value: string, keepStart: number, keepEnd: number): string {
  if (value.length <= keepStart + keepEnd) return '*'.repeat(value.length);
  return value.slice(0, keepStart) + '*'.repeat(value.length - keepStart - keepEnd) + value.slice(value.length - keepEnd);
}

/**
 * One resource as the principal may see it (a copy when anything changes, the same object
 * otherwise), contained resources included. `pseudonymKey` is needed for `pseudonym` masking.
 */
export function maskResource(resource: Json, masking: Masking, principal: Principal, pseudonymKey?: string): Json {
  if (masking === 'full') return resource;
  let out = resource;
  if (Array.isArray(resource.contained)) {
    const contained = (resource.contained as Json[]).map((c) => maskResource(c, masking, principal, pseudonymKey));
    if (contained.some((c, i) => c !== (resource.contained as Json[])[i])) out = { ...out, contained };
  }
  const type = resource.resourceType as string;
  if (!PERSON_TYPES.includes(type)) return out;
  if (masking === 'masked-other-org' && type === 'Patient' && (resource as unknown as Patient).managingOrganization?.reference === principal.organisation && principal.organisation) return out;
  if (masking === 'pseudonym') return pseudonymised(out, pseudonymKey);
  return masked(out);
}

/** Identifiers and phones masked; the narrative dropped, since text cannot be masked reliably. */
function masked(resource: Json): Json {
  const { text: _text, ...rest } = resource;
  const out: Json = rest;
  if (Array.isArray(resource.identifier)) out.identifier = (resource.identifier as Json[]).map(maskIdentifier);
  if (Array.isArray(resource.telecom)) out.telecom = (resource.telecom as Json[]).map(maskTelecom);
  if (Array.isArray(resource.contact)) {
    out.contact = (resource.contact as Json[]).map((c) => (Array.isArray(c.telecom) ? { ...c, telecom: (c.telecom as Json[]).map(maskTelecom) } : c));
  }
  return out;
}

function maskIdentifier(identifier: Json): Json {
  const rule = MASKED_IDENTIFIERS.find((r) => r.system === identifier.system);
  return rule && typeof identifier.value === 'string' ? { ...identifier, value: maskValue(identifier.value, rule.keepStart, rule.keepEnd) } : identifier;
}

function maskTelecom(telecom: Json): Json {
  const rule = MASKED_TELECOM.find((r) => r.system === telecom.system);
  return rule && typeof telecom.value === 'string' ? { ...telecom, value: maskValue(telecom.value, rule.keepStart, rule.keepEnd) } : telecom;
}

/**
 * Research view: identifiers replaced by the patient's pseudonym (HMAC-SM3, the same `$pseudonym`
 * answers, for the record this one was merged into when it was), names, contact details and
 * address lines removed; the district (GB/T 2260 code) and birth date stay for analysis.
 */
function pseudonymised(resource: Json, key: string | undefined): Json {
  const { identifier: _identifier, name: _name, telecom: _telecom, contact: _contact, photo: _photo, text: _text, ...rest } = resource;
  const out: Json = { ...rest };
  if (resource.resourceType === 'Patient' && key && typeof resource.id === 'string') {
    const survivor = replacedBy(resource as unknown as Patient) ?? resource.id;
    out.identifier = [{ use: 'secondary', system: PSEUDONYM_SYSTEM, value: derivePseudonym(key, survivor) }];
  }
  if (Array.isArray(resource.address)) out.address = (resource.address as Json[]).map(({ line: _line, text: _t, postalCode: _p, ...a }) => a);
  return out;
}

/**
 * A reply body as the principal may see it: a resource, stored JSON, or a Bundle whose entries
 * are either (nested Bundles too — a batch answer holds searchsets). Untouched for `full`.
 */
export function maskBody<T>(body: T, masking: Masking, principal: Principal, pseudonymKey?: string): T {
  if (masking === 'full') return body;
  return maskAny(body, masking, principal, pseudonymKey) as T;
}

function maskAny(body: unknown, masking: Masking, principal: Principal, key: string | undefined): unknown {
  if (body instanceof RawJson) {
    // Stored JSON is spliced in unparsed; only resources that can hold personal identifiers are worth parsing.
    if (!mayHoldPersons(body.text)) return body;
    const parsed = JSON.parse(body.text) as Json;
    const out = maskAny(parsed, masking, principal, key);
    return out === parsed ? body : new RawJson(JSON.stringify(out));
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const resource = body as Json;
  if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
    const entry = (resource.entry as Json[]).map((e) => {
      const masked = e.resource === undefined ? e.resource : maskAny(e.resource, masking, principal, key);
      return masked === e.resource ? e : { ...e, resource: masked };
    });
    return entry.some((e, i) => e !== (resource.entry as Json[])[i]) ? { ...resource, entry } : resource;
  }
  return typeof resource.resourceType === 'string' ? maskResource(resource, masking, principal, key) : resource;
}

const PERSON_MARKERS = PERSON_TYPES.map((t) => `"${t}"`);

function mayHoldPersons(text: string): boolean {
  return PERSON_MARKERS.some((m) => text.includes(m));
}
