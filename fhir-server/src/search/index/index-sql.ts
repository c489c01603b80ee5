import type { SqlParams } from '../../repository/sql-params.js';
import { spanUpsert } from '../date-spans.js';
import { containedKey, INDEX_TABLES, TABLE_KEYS, type IndexRows, type TableKey } from './tables.js';

export interface ResourceKey {
  resourceType: string;
  id: string;
}

/**
 * INSERT statements (for use as CTEs) that write the index rows of the given resources: one per
 * table that has rows, each taking its columns as arrays through unnest, so the statement text
 * and its parameter count do not grow with the number of rows. `guard` is a condition under which
 * the rows are written (e.g. that the resource row was).
 *
 * The rows of the resources they contain go in the same statements under keys of their own
 * (tables.ts, containedKey), after DELETEs of whatever a previous version left under those keys.
 * Rows a previous version left under a local id the resource no longer has are not removed here:
 * searches reach contained rows only through the container's current `search_contained` rows
 * (contained.ts), so they are unreachable, and `containedOrphanDeletes` clears them.
 */
export function indexInserts(p: SqlParams, containers: readonly ResourceKey[], containerRows: readonly IndexRows[], guard?: string): string[] {
  const keys: ResourceKey[] = [...containers];
  const rows: IndexRows[] = [...containerRows];
  containers.forEach((key, k) => {
    for (const inner of containerRows[k]?.inner ?? []) {
      keys.push(containedKey(key.resourceType, key.id, inner.type, inner.localId));
      rows.push(inner.rows);
    }
  });
  const statements: string[] = [];
  const inner = keys.slice(containers.length);
  if (inner.length > 0) {
    statements.push(...indexDeletesMany(p.add(inner.map((k) => k.resourceType)), p.add(inner.map((k) => k.id)), CONTAINED_TABLES, guard));
  }
  for (const table of TABLE_KEYS) {
    const { name, columns } = INDEX_TABLES[table];
    const arrays: unknown[][] = [[], [], ...columns.map(() => [])];
    keys.forEach((key, k) => {
      for (const row of rows[k]?.[table] ?? []) {
        arrays[0]?.push(key.resourceType);
        arrays[1]?.push(key.id);
        row.forEach((value, c) => arrays[c + 2]?.push(value));
      }
    });
    if (arrays[0]?.length === 0) continue;
    const types = ['text', 'text', ...columns.map(([, type]) => type)];
    const unnest = `unnest(${arrays.map((a, c) => `${p.add(arrayLiteral(a))}::${types[c]}[]`).join(', ')})`;
    const names = ['resource_type', 'id', ...columns.map(([column]) => column)].join(', ');
    statements.push(`INSERT INTO ${name} (${names}) SELECT * FROM ${unnest} AS u${guard ? ` WHERE ${guard}` : ''}`);
  }
  const spans = spanUpsert(p, keys, rows, guard);
  if (spans) statements.push(spans);
  return statements;
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * The PostgreSQL array literal of index column values (strings, numbers, null), as the driver
 * would write it for a JS array — every element quoted, `"` and `\` escaped, null as NULL — but
 * without its two regular-expression passes over every element: index values rarely hold either
 * character, and at ingest these arrays are the bulk of what a write sends.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const value = values[i];
    if (value === null || value === undefined) {
      out += 'NULL';
      continue;
    }
    const text = String(value);
    out += NEEDS_ESCAPE.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
  }
  return `${out}}`;
}

/** DELETE statements (for use as CTEs) that remove one resource's index rows when `guard` holds. */
export function indexDeletes(type: string, id: string, guard: string): string[] {
  return TABLE_KEYS.map((table) => `DELETE FROM ${INDEX_TABLES[table].name} WHERE resource_type = ${type} AND id = ${id} AND ${guard}`);
}

/** DELETE statements that remove the index rows of many resources, given as two text arrays (in `tables`, when `guard` holds). */
export function indexDeletesMany(types: string, ids: string, tables: readonly TableKey[] = TABLE_KEYS, guard?: string): string[] {
  return tables.map(
    (table) =>
      `DELETE FROM ${INDEX_TABLES[table].name} x USING unnest(${types}::text[], ${ids}::text[]) AS u(rt, rid) WHERE x.resource_type = u.rt AND x.id = u.rid${guard ? ` AND ${guard}` : ''}`,
  );
}

/** The tables a contained resource has rows in: all but the list of contained resources (it has none). */
const CONTAINED_TABLES = TABLE_KEYS.filter((table) => table !== 'contained');

/**
 * DELETE statements that remove the rows of contained resources their container no longer has
 * (left by updates that dropped them and by deletes): one pass over each table, for `$reindex`.
 */
export function containedOrphanDeletes(): string[] {
  return CONTAINED_TABLES.map(
    (table) => `DELETE FROM ${INDEX_TABLES[table].name} x WHERE x.resource_type LIKE '#%' AND NOT EXISTS (
       SELECT 1 FROM search_contained c WHERE c.resource_type = split_part(x.id, '/', 1) AND c.id = split_part(split_part(x.id, '/', 2), '#', 1)
         AND c.local_id = split_part(x.id, '#', 2) AND '#' || c.contained_type = x.resource_type)`,
  );
}
