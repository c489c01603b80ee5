import { isKnownResourceType } from '../definitions/r4.js';

/**
 * What a `Reference.reference` string points at, by the forms R4 allows
 * (https://hl7.org/fhir/R4/references.html#literal).
 */
export type ParsedReference =
  /** `Type/id` or `Type/id/_history/vid`; `type` may still be unknown to R4. */
  | { kind: 'relative'; type: string }
  /** `Type?search`, resolved by the server inside a transaction. */
  | { kind: 'conditional'; type: string }
  /** `#id`, or `#` alone (id '') for the containing resource. */
  | { kind: 'contained'; id: string }
  /** http(s) URL, `urn:uuid:`, `urn:oid:` — nothing more is known locally. */
  | { kind: 'absolute' }
  | { kind: 'invalid' };

const ID = '[A-Za-z0-9\\-.]{1,64}';
const RESOURCE_ID = new RegExp(`^${ID}$`);
const RELATIVE = new RegExp(`^([A-Za-z]+)/${ID}(?:/_history/${ID})?$`);
const CONDITIONAL = /^([A-Za-z]+)\?(.+)$/;
const CONTAINED = new RegExp(`^#(${ID})?$`);
const HTTP_URL = /^https?:\/\/[^\s/]+\S*$/;
// RFC 4122 treats the hex digits as case-insensitive on input.
const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OID = /^urn:oid:[0-2](\.(0|[1-9]\d*))+$/;

/** R4 `id`: 1–64 letters, digits, '-' or '.'. */
export function isValidId(id: string): boolean {
  return RESOURCE_ID.test(id);
}

export function parseReference(reference: string): ParsedReference {
  let match = RELATIVE.exec(reference);
  if (match) return isKnownResourceType(match[1] ?? '') ? { kind: 'relative', type: match[1] ?? '' } : { kind: 'invalid' };
  match = CONTAINED.exec(reference);
  if (match) return { kind: 'contained', id: match[1] ?? '' };
  if (HTTP_URL.test(reference) || UUID.test(reference) || OID.test(reference)) return { kind: 'absolute' };
  match = CONDITIONAL.exec(reference);
  if (match && isKnownResourceType(match[1] ?? '')) return { kind: 'conditional', type: match[1] ?? '' };
  return { kind: 'invalid' };
}

const PROFILE_BASE = 'http://hl7.org/fhir/StructureDefinition/';

/**
 * The resource types a Reference element may point at, from its `targetProfile`s; undefined
 * when any type is allowed (`Reference(Any)`) or a profile is outside the base specification
 * and so cannot be judged by type alone.
 */
export function allowedTargetTypes(targetProfiles: readonly string[] | undefined): readonly string[] | undefined {
  if (!targetProfiles?.length) return undefined;
  const types: string[] = [];
  for (const profile of targetProfiles) {
    if (!profile.startsWith(PROFILE_BASE)) return undefined;
    const type = profile.slice(PROFILE_BASE.length);
    if (type === 'Resource' || type === 'DomainResource') return undefined;
    types.push(type);
  }
  return types;
}
