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
