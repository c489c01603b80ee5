/**
 * JSON in one canonical form, as RFC 8785 (JSON Canonicalization) has it for FHIR's data: object
 * keys sorted by UTF-16 code units at every level, no white space, numbers and strings as
 * ECMAScript's JSON writes them, undefined members left out, array order kept. What a hash or a
 * signature covers then does not depend on how a driver or a dump re-serialises the stored text.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
