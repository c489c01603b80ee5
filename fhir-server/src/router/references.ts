/** Calls `visit` for every `Reference.reference` in a resource (any depth, contained resources included). */
export function forEachReference(node: unknown, visit: (holder: { reference: string }) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) forEachReference(item, visit);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.reference === 'string') visit(record as { reference: string });
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'object' && value !== null) forEachReference(value, visit);
  }
}

/**
 * Makes references to this server relative (`{base}/Patient/1` → `Patient/1`): it is the same
 * resource, and stored relative it is found by every search, include and compartment that
 * follows references, whichever base address a later client uses.
 */
export function localiseReferences(resource: unknown, baseUrl: string): void {
  const prefix = `${baseUrl}/`;
  forEachReference(resource, (holder) => {
    if (holder.reference.startsWith(prefix)) holder.reference = holder.reference.slice(prefix.length);
  });
}
