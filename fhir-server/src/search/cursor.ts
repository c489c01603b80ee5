/**
 * A page cursor: the sort key of the last entry served. The next page starts strictly after it,
 * so inserts and deletes elsewhere in the order neither repeat nor skip entries (keyset paging).
 */
export interface Cursor {
  /** Sort values in `_sort` order; null where the entry had no value. */
  values: (string | null)[];
  resourceType: string;
  id: string;
  /**
   * The total of the first page. Later pages report it rather than count again: a deep page
   * then costs what the first did, and the total describes the search the client started.
   */
  total?: number;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.values, cursor.resourceType, cursor.id, ...(cursor.total !== undefined ? [cursor.total] : [])])).toString('base64url');
}

export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length < 3 || value.length > 4) return undefined;
    const [values, resourceType, id, total] = value as unknown[];
    if (!Array.isArray(values) || !values.every((v) => v === null || typeof v === 'string')) return undefined;
    if (typeof resourceType !== 'string' || typeof id !== 'string') return undefined;
    if (total !== undefined && !(typeof total === 'number' && Number.isSafeInteger(total) && total >= 0)) return undefined;
    return { values: values as (string | null)[], resourceType, id, ...(total !== undefined ? { total } : {}) };
  } catch {
    return undefined;
  }
}
