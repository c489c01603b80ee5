import type { SqlParams } from '../../repository/sql-params.js';
import { INDEX_TABLES, TABLE_KEYS, type IndexRows } from './tables.js';

export interface ResourceKey {
  resourceType: string;
  id: string;
}

/**
 * INSERT statements (for use as CTEs) that write the index rows of the given resources: one per
 * table that has rows, each taking its columns as arrays through unnest, so the statement text
 * and its parameter count do not grow with the number of rows. `guard` is a condition under which
 * the rows are written (e.g. that the resource row was).
 */
export function indexInserts(p: SqlParams, keys: readonly ResourceKey[], rows: readonly IndexRows[], guard?: string): string[] {
  const statements: string[] = [];
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
    const unnest = `unnest(${arrays.map((a, c) => `${p.add(a)}::${types[c]}[]`).join(', ')})`;
    const names = ['resource_type', 'id', ...columns.map(([column]) => column)].join(', ');
    statements.push(`INSERT INTO ${name} (${names}) SELECT * FROM ${unnest} AS u${guard ? ` WHERE ${guard}` : ''}`);
  }
  return statements;
}

/** DELETE statements (for use as CTEs) that remove one resource's index rows when `guard` holds. */
export function indexDeletes(type: string, id: string, guard: string): string[] {
  return TABLE_KEYS.map((table) => `DELETE FROM ${INDEX_TABLES[table].name} WHERE resource_type = ${type} AND id = ${id} AND ${guard}`);
}

/** DELETE statements that remove the index rows of many resources, given as two text arrays. */
export function indexDeletesMany(types: string, ids: string): string[] {
  return TABLE_KEYS.map(
    (table) => `DELETE FROM ${INDEX_TABLES[table].name} x USING unnest(${types}::text[], ${ids}::text[]) AS u(rt, rid) WHERE x.resource_type = u.rt AND x.id = u.rid`,
  );
}
