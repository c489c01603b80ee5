import type { Queryable } from '../repository/db.js';
import type { StoredVersion } from '../repository/stored.js';
import { FhirError } from '../errors/fhir-error.js';
import { firstMatchesOfEach } from '../search/execute.js';
import { parseSearch } from '../search/parse.js';

export interface Criteria {
  type: string;
  params: [string, string][];
}

export function criteriaParams(criteria: string): [string, string][] {
  return [...new URLSearchParams(criteria.startsWith('?') ? criteria.slice(1) : criteria)];
}

/** `Patient?identifier=…` → its type and parameters. */
export function parseConditionalReference(reference: string): Criteria {
  const [type = '', query = ''] = reference.split(/\?(.*)/s);
  return { type, params: criteriaParams(query) };
}

/**
 * Advisory locks on conditional-create/update criteria, taken before they are searched, so two
 * concurrent conditional creates with the same criteria cannot both create. Taken in sorted order
 * so that two transactions never wait on each other in a cycle. (The lock needs its own statement:
 * a statement's snapshot is taken before anything in it runs.)
 */
export async function lockCriteria(q: Queryable, items: Criteria[]): Promise<void> {
  if (items.length === 0) return;
  const keys = [...new Set(items.map(({ type, params }) => describeCriteria(type, [...params].sort(([a], [b]) => a.localeCompare(b)))))].sort();
  await q.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) AS k ORDER BY k', [keys]);
}

/** Matches of each criteria, at most two (one is all that matters, two proves ambiguity), in one statement. */
export async function findMatchesOfEach(q: Queryable, items: Criteria[]): Promise<StoredVersion[][]> {
  const searches = items.map(({ type, params }) => {
    const criteria = params.filter(([name]) => name !== '_format');
    if (criteria.length === 0) throw new FhirError('conditional.criteria-required');
    return parseSearch(type, criteria);
  });
  return firstMatchesOfEach(q, searches, 2);
}

export async function findMatches(q: Queryable, type: string, params: [string, string][]): Promise<StoredVersion[]> {
  await lockCriteria(q, [{ type, params }]);
  const [matches = []] = await findMatchesOfEach(q, [{ type, params }]);
  return matches;
}

export function describeCriteria(type: string, params: [string, string][]): string {
  return `${type}?${new URLSearchParams(params).toString()}`;
}
