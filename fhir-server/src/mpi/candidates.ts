import type { Patient } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import { sqlParams, type SqlParams } from '../repository/sql-params.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import { parseDate } from '../search/parse-values.js';
import { parseSearch } from '../search/parse.js';
import { ConditionBuilder } from '../search/sql/conditions.js';
import { identifierValue, phoneDigits } from './compare.js';
import { nameKey } from './names.js';
import { BIRTH_DAY_LIMIT, BLOCK_LIMIT, MAX_BLOCKS } from './weights.js';

/** One indexed lookup that can find the person: a search parameter and its value, or everyone born that day. */
export type Block = { param: 'identifier' | 'phone' | 'name'; value: string } | { param: 'birthdate'; value: string };

/** A search value with the characters FHIR search treats as separators escaped. */
function literal(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/**
 * The lookups ("blocks") that can find a record like `query`, each one index range: every
 * identifier, every phone number, every name (birth date mistyped), and everyone born that day
 * (name mistyped, a homophone, or written in pinyin). A record that shares none of them is not
 * found, by design. Sex is never a block: it selects half of everyone, and the comparison
 * weighs it anyway; name-with-birth-date needs no block of its own, being inside the birth day's.
 */
export function candidateBlocks(query: Patient): Block[] {
  const blocks: Block[] = [];
  for (const identifier of query.identifier ?? []) {
    const value = identifierValue(identifier);
    if (identifier.system && value) blocks.push({ param: 'identifier', value: `${literal(identifier.system)}|${literal(value)}` });
  }
  for (const telecom of query.telecom ?? []) {
    if ((telecom.system ?? 'phone') !== 'phone' || !telecom.value) continue;
    for (const value of new Set([telecom.value.trim(), phoneDigits(telecom.value)])) if (value) blocks.push({ param: 'phone', value: literal(value) });
  }
  for (const name of query.name ?? []) {
    if (!nameKey(name)) continue;
    blocks.push({ param: 'name', value: literal(name.text ?? (name.family ?? '') + (name.given ?? []).join('')) });
  }
  // The birth day first: it is the block that survives any one mistyped field.
  if (/^\d{4}-\d{2}-\d{2}$/.test(query.birthDate ?? '')) blocks.unshift({ param: 'birthdate', value: query.birthDate as string });
  return blocks.slice(0, MAX_BLOCKS);
}

/**
 * Everyone born on `day`: birth-date index rows inside the day, with the day's end also bounding
 * `low` so the index is read as one short range (the stored range [low, high) of a date lies
 * inside the day exactly when low ≥ start, low < end and high ≤ end). The day's bounds are the
 * search engine's (dates without a zone are China Standard Time).
 */
function birthDaySql(p: SqlParams, type: string, day: string): string {
  const { range } = parseDate('birthdate', day);
  const [start, end] = [new Date(range.start).toISOString(), new Date(range.end).toISOString()].map((t) => `${p.add(t)}::timestamptz`);
  return `(SELECT d.id FROM search_date d WHERE d.resource_type = ${type} AND d.param = 'birthdate'
    AND d.low >= ${start} AND d.low < ${end} AND d.high <= ${end} LIMIT ${p.add(BIRTH_DAY_LIMIT)})`;
}

/**
 * The distinct current Patients the blocks find, in one statement of index ranges (never a scan
 * of the patients). Parameter blocks use the search engine's set form (`indexedMatches`).
 */
export async function findCandidates(q: Queryable, query: Patient, baseUrl: string): Promise<StoredVersion[]> {
  const blocks = candidateBlocks(query);
  if (blocks.length === 0) return [];
  const p = sqlParams();
  const builder = new ConditionBuilder(p);
  const type = p.add('Patient');
  const limit = p.add(BLOCK_LIMIT);
  const sets = blocks.map((block) => {
    if (block.param === 'birthdate') return birthDaySql(p, type, block.value);
    const search = parseSearch('Patient', [[block.param, block.value]], { baseUrl });
    const ids = builder.indexedMatches(search.filters, 'Patient');
    // Token and string parameters always have the set form; the fallback is for a parameter a profile redefines.
    return ids
      ? `(SELECT b.id FROM ${ids} b LIMIT ${limit})`
      : `(SELECT r.id FROM resource r WHERE ${builder.where(search.filters, 'r', 'Patient').join(' AND ')} LIMIT ${limit})`;
  });
  const rows = await q.query<StoredRow>(
    `SELECT ${storedColumns('r')}, false AS deleted
     FROM (${sets.join(' UNION ')}) m JOIN resource r ON r.resource_type = ${type} AND r.id = m.id
     WHERE NOT r.deleted`,
    p.values,
  );
  return rows.map((row) => fromRow(row));
}
