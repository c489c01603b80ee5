import type { Queryable } from '../repository/db.js';
import type { StoredVersion } from '../repository/stored.js';
import { FhirError } from '../errors/fhir-error.js';
import { executeSearch } from '../search/execute.js';
import { parseSearch } from '../search/parse.js';

export function criteriaParams(criteria: string): [string, string][] {
  return [...new URLSearchParams(criteria.startsWith('?') ? criteria.slice(1) : criteria)];
}

/**
 * Resources matching conditional-interaction criteria (at most two: one is all that matters, two
 * proves ambiguity). Takes an advisory lock on the criteria first, so two concurrent conditional
 * creates with the same criteria cannot both create.
 */
export async function findMatches(q: Queryable, type: string, params: [string, string][]): Promise<StoredVersion[]> {
  const criteria = params.filter(([name]) => !name.startsWith('_format'));
  if (criteria.length === 0) throw new FhirError('conditional.criteria-required');
  const key = `${type}?${criteria.map(([k, v]) => `${k}=${v}`).sort().join('&')}`;
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  const search = parseSearch(type, criteria);
  const { matches } = await executeSearch(q, { ...search, count: 2, offset: 0, total: 'none', summaryCount: false });
  return matches;
}

export function describeCriteria(type: string, params: [string, string][]): string {
  return `${type}?${new URLSearchParams(params).toString()}`;
}
