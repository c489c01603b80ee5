/**
 * A page cursor: the sort key of the last entry served. The next page starts strictly after it,
 * so inserts and deletes elsewhere in the order neither repeat nor skip entries (keyset paging).
 */
export interface Cursor {
  /** Sort values in `_sort` order; null where the entry had no value. */
  values: (string | null)[];
  resourceType: string;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.values, cursor.resourceType, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [values, resourceType, id] = value as unknown[];
    if (!Array.isArray(values) || !values.every((v) => v === null || typeof v === 'string')) return undefined;
    if (typeof resourceType !== 'string' || typeof id !== 'string') return undefined;
    return { values: values as (string | null)[], resourceType, id };
  } catch {
    return undefined;
  }
}
