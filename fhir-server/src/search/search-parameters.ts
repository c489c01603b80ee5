import type { SearchParameter } from '@medplum/fhirtypes';
import { baseSearchParameters } from '../definitions/r4.js';
import { compilePath, type PathEvaluator } from './compiled-path.js';

/** A search parameter as it applies to one resource type, with its expression compiled. */
export interface ResolvedParam {
  code: string;
  type: NonNullable<SearchParameter['type']>;
  definition: SearchParameter;
  evaluators: PathEvaluator[];
}

const GENERIC_BASES = new Set(['Resource', 'DomainResource']);
const byType = new Map<string, Map<string, ResolvedParam>>();

/**
 * The search parameters of a resource type, from the R4 definitions: those based on the type and
 * those based on Resource/DomainResource. Each `|` branch of the expression that concerns this
 * type is compiled once.
 */
export function searchParamsFor(resourceType: string): ReadonlyMap<string, ResolvedParam> {
  let params = byType.get(resourceType);
  if (params) return params;
  params = new Map();
  for (const sp of baseSearchParameters()) {
    if (!sp.code || !sp.type || !sp.base?.some((b) => b === resourceType || GENERIC_BASES.has(b))) continue;
    const branches = (sp.expression ?? '')
      .split('|')
      .map((b) => b.trim())
      .filter((b) => appliesTo(b, resourceType));
    params.set(sp.code, { code: sp.code, type: sp.type, definition: sp, evaluators: branches.map((b) => compilePath(resourceType, b)) });
  }
  byType.set(resourceType, params);
  return params;
}

function appliesTo(branch: string, resourceType: string): boolean {
  const root = /^\(?([A-Za-z]+)/.exec(branch)?.[1];
  return root === resourceType || (root !== undefined && GENERIC_BASES.has(root));
}

/**
 * Parameters held in the token index. `_profile` is a uri parameter, but exact matching is all
 * conditional interactions need of it; `_id` is the primary key already.
 */
export function isIndexedToken(param: ResolvedParam): boolean {
  return (param.type === 'token' && param.code !== '_id') || param.code === '_profile';
}
