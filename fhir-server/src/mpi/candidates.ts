import type { Patient } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import { sqlParams } from '../repository/sql-params.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from '../repository/stored.js';
import { parseSearch } from '../search/parse.js';
import { ConditionBuilder } from '../search/sql/conditions.js';
import { identifierValue, phoneDigits } from './compare.js';
import { nameKey } from './names.js';
import { BLOCK_LIMIT } from './weights.js';

/** A search value with the characters FHIR search treats as separators escaped. */
function literal(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/**
 * The indexed searches ("blocks") that can find a record like `query`: each shares something
 * selective with it, so together they find the same person despite one wrong field — an ID
 * number, a phone number, the name with the birth date, the family name with the birth date
 * (given name mistyped), the name alone (birth date mistyped), the birth date alone (name in
 * pinyin, a homophone or mistyped). Sex is never a block of its own or a part of one: it
 * selects half of everyone, and the comparison weighs it anyway.
 */
export function candidateBlocks(query: Patient): [string, string][][] {
  const blocks: [string, string][][] = [];
  for (const identifier of query.identifier ?? []) {
    const value = identifierValue(identifier);
    if (identifier.system && value) blocks.push([['identifier', `${literal(identifier.system)}|${literal(value)}`]]);
  }
  for (const telecom of query.telecom ?? []) {
    if ((telecom.system ?? 'phone') !== 'phone' || !telecom.value) continue;
    for (const value of new Set([telecom.value.trim(), phoneDigits(telecom.value)])) if (value) blocks.push([['phone', literal(value)]]);
  }
  const birthDate = /^\d{4}-\d{2}-\d{2}$/.test(query.birthDate ?? '') ? query.birthDate : undefined;
  for (const name of query.name ?? []) {
    const key = nameKey(name);
    if (!key) continue;
    const text = name.text ?? ((name.family ?? '') + (name.given ?? []).join(''));
    if (birthDate) {
      blocks.push([['name', literal(text)], ['birthdate', birthDate]]);
      if (key.family) blocks.push([['family', literal(key.family)], ['birthdate', birthDate]]);
    }
    blocks.push([['name', literal(text)]]);
  }
  if (birthDate) blocks.push([['birthdate', birthDate]]);
  return blocks;
}

/**
 * The distinct current Patients the blocks find, at most BLOCK_LIMIT from each, in one statement.
 * Each block is the search engine's set form (`indexedMatches`: an INTERSECT of index ranges),
 * whose cost is the sum of its sides: a semi-join from the resource table would let the planner,
 * misjudging a date range, walk every patient in id order to fill the LIMIT.
 */
export async function findCandidates(q: Queryable, query: Patient, baseUrl: string): Promise<StoredVersion[]> {
  const searches = candidateBlocks(query).map((params) => parseSearch('Patient', params, { baseUrl }));
  if (searches.length === 0) return [];
  const p = sqlParams();
  const builder = new ConditionBuilder(p);
  const type = p.add('Patient');
  const limit = p.add(BLOCK_LIMIT);
  const blocks = searches.map((search) => {
    const ids = builder.indexedMatches(search.filters, 'Patient');
    // Every block is made of bounded value filters, so this fallback is for parameters a profile redefines.
    return ids
      ? `(SELECT b.id FROM ${ids} b LIMIT ${limit})`
      : `(SELECT r.id FROM resource r WHERE ${builder.where(search.filters, 'r', 'Patient').join(' AND ')} LIMIT ${limit})`;
  });
  const rows = await q.query<StoredRow>(
    `SELECT ${storedColumns('r')}, false AS deleted
     FROM (${blocks.join(' UNION ')}) m JOIN resource r ON r.resource_type = ${type} AND r.id = m.id
     WHERE NOT r.deleted`,
    p.values,
  );
  return rows.map((row) => fromRow(row));
}
