import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Repository } from '../repository/repository.js';
import { firstMatchesOfEach } from '../search/execute.js';
import { parseSearch } from '../search/parse.js';

/**
 * The registries' own reads inside a write's transaction: the server acting for itself (a rule
 * must see every earlier case of the patient, whoever submitted it), so no access filters apply.
 */
export async function searchAll<T extends Resource>(q: Queryable, type: T['resourceType'], params: [string, string][], limit = 1000): Promise<T[]> {
  const [rows = []] = await firstMatchesOfEach(q, [parseSearch(type, params)], limit);
  return rows.map((r) => JSON.parse(r.json as string) as T);
}

/** The current version of `Type/id`, or undefined when it is absent or deleted. */
export async function readOptional<T extends Resource>(q: Queryable, repo: Repository, type: T['resourceType'], id: string, forUpdate = false): Promise<T | undefined> {
  try {
    return JSON.parse((await repo.read(q, type, id, forUpdate)).json as string) as T;
  } catch (error) {
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
}
