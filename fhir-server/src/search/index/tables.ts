/**
 * The index tables (schema migration 2) as data: the writer builds its INSERT and DELETE
 * statements from this list, so a table is declared once.
 */
export interface IndexTable {
  name: string;
  /** Columns after resource_type and id, with the SQL array type their values are sent as. */
  columns: readonly (readonly [name: string, sqlType: string])[];
}

export const INDEX_TABLES = {
  token: { name: 'search_token', columns: [['param', 'text'], ['system', 'text'], ['value', 'text'], ['grp', 'int']] },
  string: { name: 'search_string', columns: [['param', 'text'], ['norm', 'text'], ['exact', 'text'], ['grp', 'int']] },
  date: { name: 'search_date', columns: [['param', 'text'], ['low', 'timestamptz'], ['high', 'timestamptz'], ['grp', 'int']] },
  number: { name: 'search_number', columns: [['param', 'text'], ['value', 'numeric'], ['grp', 'int']] },
  quantity: {
    name: 'search_quantity',
    columns: [['param', 'text'], ['value', 'numeric'], ['system', 'text'], ['code', 'text'], ['unit', 'text'], ['canonical_value', 'numeric'], ['canonical_code', 'text'], ['grp', 'int']],
  },
  reference: { name: 'search_reference', columns: [['param', 'text'], ['target_type', 'text'], ['target_id', 'text'], ['url', 'text'], ['grp', 'int']] },
  uri: { name: 'search_uri', columns: [['param', 'text'], ['value', 'text'], ['grp', 'int']] },
  /** Parameter pairs indexed together (pairs.ts, migration 20): the token's system and value, then the partner's columns. */
  tokenDate: { name: 'search_token_date', columns: [['param', 'text'], ['token_system', 'text'], ['token_value', 'text'], ['low', 'timestamptz'], ['high', 'timestamptz']] },
  tokenQuantity: {
    name: 'search_token_quantity',
    columns: [['param', 'text'], ['token_system', 'text'], ['token_value', 'text'], ['value', 'numeric'], ['system', 'text'], ['code', 'text'], ['unit', 'text'], ['canonical_value', 'numeric'], ['canonical_code', 'text']],
  },
  tokenReference: { name: 'search_token_reference', columns: [['param', 'text'], ['token_system', 'text'], ['token_value', 'text'], ['target_type', 'text'], ['target_id', 'text'], ['url', 'text']] },
  sort: { name: 'search_sort', columns: [['param', 'text'], ['lo', 'text'], ['hi', 'text']] },
  text: { name: 'search_text', columns: [['narrative', 'text'], ['content', 'text']] },
  /** A container's contained resources (migration 19), whose own rows are keyed by `containedKey`. */
  contained: { name: 'search_contained', columns: [['contained_type', 'text'], ['local_id', 'text']] },
} as const satisfies Record<string, IndexTable>;

export type TableKey = keyof typeof INDEX_TABLES;
export const TABLE_KEYS = Object.keys(INDEX_TABLES) as TableKey[];

/**
 * A resource's rows, per table, each row the values of that table's columns in order; `inner`
 * holds the rows of the resources it contains, each indexed as a resource of its own type.
 */
export type IndexRows = Record<TableKey, unknown[][]> & { inner?: ContainedRows[] };

export interface ContainedRows {
  type: string;
  localId: string;
  rows: IndexRows;
}

/**
 * Index rows of a contained resource are keyed apart from every top-level resource: the type
 * carries a `#` (no resource type does, so no search of a type ever reads them) and the id is the
 * container's key with the local id as fragment (no resource id can hold a `/` or `#`).
 */
export function containedKey(containerType: string, containerId: string, type: string, localId: string): { resourceType: string; id: string } {
  return { resourceType: containedType(type), id: `${containerType}/${containerId}#${localId}` };
}

export function containedType(type: string): string {
  return `#${type}`;
}
