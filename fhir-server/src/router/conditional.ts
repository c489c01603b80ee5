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
 * Matches of conditional-interaction criteria, at most two each (one is all that matters, two
 * proves ambiguity), all in one statement. With `lock`, first takes advisory locks on the criteria,
 * in sorted order so that two transactions never wait on each other in a cycle: two concurrent
 * conditional creates with the same criteria cannot both create.
 */
export async function findMatchesOfEach(q: Queryable, items: Criteria[], lock: boolean): Promise<StoredVersion[][]> {
  const searches = items.map(({ type, params }) => {
    const criteria = params.filter(([name]) => name !== '_format');
    if (criteria.length === 0) throw new FhirError('conditional.criteria-required');
    return { key: describeCriteria(type, [...criteria].sort(([a], [b]) => a.localeCompare(b))), search: parseSearch(type, criteria) };
  });
  if (lock && searches.length > 0) {
    const keys = [...new Set(searches.map((s) => s.key))].sort();
    await q.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) AS k ORDER BY k', [keys]);
  }
  return firstMatchesOfEach(q, searches.map((s) => s.search), 2);
}

export async function findMatches(q: Queryable, type: string, params: [string, string][]): Promise<StoredVersion[]> {
  const [matches = []] = await findMatchesOfEach(q, [{ type, params }], true);
  return matches;
}

export function describeCriteria(type: string, params: [string, string][]): string {
  return `${type}?${new URLSearchParams(params).toString()}`;
}
