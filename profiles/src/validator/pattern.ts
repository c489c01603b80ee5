/**
 * FHIR pattern matching (R4 ElementDefinition.pattern[x]): every property of the pattern is in
 * the value, recursively; each item of a pattern array matches some item of the value's array.
 */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return value === pattern;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value)) return false;
    return pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const object = value as Record<string, unknown>;
  return Object.entries(pattern).every(([key, p]) => matchesPattern(object[key], p));
}
