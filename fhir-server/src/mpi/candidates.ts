import type { Patient } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import type { StoredVersion } from '../repository/stored.js';
import { firstMatchesOfEach } from '../search/execute.js';
import { parseSearch } from '../search/parse.js';
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
 * (given name mistyped), the birth date with the sex (name in pinyin or a homophone), the name
 * with the sex (birth date mistyped).
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
  const gender = query.gender === 'male' || query.gender === 'female' ? query.gender : undefined;
  const keys = (query.name ?? []).map((n) => ({ name: n, key: nameKey(n) }));
  for (const { name, key } of keys) {
    if (!key) continue;
    const text = name.text ?? ((name.family ?? '') + (name.given ?? []).join(''));
    if (birthDate) {
      blocks.push([['name', literal(text)], ['birthdate', birthDate]]);
      if (key.family) blocks.push([['family', literal(key.family)], ['birthdate', birthDate]]);
    }
    blocks.push([['name', literal(text)], ...(gender ? [['gender', gender] as [string, string]] : [])]);
  }
  if (birthDate && gender) blocks.push([['birthdate', birthDate], ['gender', gender]]);
  return blocks;
}

/** The distinct current Patients the blocks find, at most BLOCK_LIMIT from each, in one statement. */
export async function findCandidates(q: Queryable, query: Patient, baseUrl: string): Promise<StoredVersion[]> {
  const searches = candidateBlocks(query).map((params) => parseSearch('Patient', params, { baseUrl }));
  const found = await firstMatchesOfEach(q, searches, BLOCK_LIMIT);
  const byId = new Map<string, StoredVersion>();
  for (const stored of found.flat()) byId.set(stored.id, stored);
  return [...byId.values()];
}
