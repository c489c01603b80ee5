/**
 * JSON in one canonical form, as RFC 8785 (JSON Canonicalization) has it for FHIR's data: object
 * keys sorted by UTF-16 code units at every level, no white space, numbers and strings as
 * ECMAScript's JSON writes them, undefined members left out, array order kept. What a hash or a
 * signature covers then does not depend on how a driver or a dump re-serialises the stored text.
 */
export function canonicalJson(value: unknown): string {
  // Built by concatenation, without the entry arrays and joins of each level: the audit linker
  // writes every record this way, and a search's record names up to a page of patients.
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    // An undefined item (never in parsed JSON) writes nothing, as it always has.
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + ((canonicalJson(value[i]) as string | undefined) ?? '');
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  // Array.prototype.sort compares strings by UTF-16 code units, as RFC 8785 orders keys.
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
  }
  return `${out}}`;
}
