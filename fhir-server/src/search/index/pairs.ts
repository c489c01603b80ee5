/**
 * Parameters searched together so often, and each so unselective alone, that they are also
 * indexed together. "Observations of this LOINC code in March" or "… above 7 mmol/L" meet two
 * conditions that each match tens of thousands of resources at a million; kept in separate index
 * tables they are met row by row (docs/benchmarks.md, "What limits search"); so do "the patients
 * with this diagnosis" (`_has`), one patient per few conditions of a code. A pair keeps one row
 * per combination of the token's values and the partner's — one of each, nearly always — in a
 * table of its own, under the parameter `<token>+<partner>`, so the search is one index range.
 *
 * Search semantics do not change: a resource has a token value matching A and a partner value
 * matching B exactly when one of its combinations matches both. The separate rows stay (every
 * other search reads them). A pair added here needs a migration that fills its rows for the
 * resources already stored (migration 20 did so for these), or `$reindex`.
 */
import { searchParamsFor, type ResolvedParam } from '../search-parameters.js';
import type { TableKey } from './tables.js';

export interface IndexedPair {
  resourceType: string;
  /** A token parameter. */
  token: string;
  /** A date, quantity or reference parameter (one value per resource, nearly always: the pair keeps every combination). */
  partner: string;
}

export const INDEXED_PAIRS: readonly IndexedPair[] = [
  // Also read by `_has:Condition:patient:code=…`: the patients with a diagnosis, from one index range.
  { resourceType: 'Condition', token: 'code', partner: 'patient' },
  { resourceType: 'Observation', token: 'code', partner: 'date' },
  { resourceType: 'Observation', token: 'code', partner: 'value-quantity' },
  { resourceType: 'DiagnosticReport', token: 'code', partner: 'date' },
];

export type PairTable = Extract<TableKey, 'tokenDate' | 'tokenQuantity' | 'tokenReference'>;
/** The partner's own table, whose columns after `param` (and before `grp`) follow the token's in the pair table. */
export const PARTNER_TABLES = { tokenDate: 'date', tokenQuantity: 'quantity', tokenReference: 'reference' } as const satisfies Record<PairTable, TableKey>;

export interface ResolvedPair extends IndexedPair {
  param: string;
  table: PairTable;
}

/** Keyed by the type's parameter map, which is made anew whenever the SearchParameters change. */
const resolved = new WeakMap<ReadonlyMap<string, ResolvedParam>, ResolvedPair[]>();

/** The pairs of a type whose parameters are as declared here: a token, and a date, quantity or reference (a SearchParameter stored since may have changed either). */
export function pairsOf(resourceType: string): readonly ResolvedPair[] {
  const params = searchParamsFor(resourceType);
  let pairs = resolved.get(params);
  if (pairs) return pairs;
  pairs = [];
  for (const pair of INDEXED_PAIRS) {
    if (pair.resourceType !== resourceType) continue;
    const token = params.get(pair.token);
    const partner = params.get(pair.partner);
    if (token?.type !== 'token' || !partner) continue;
    const table = (Object.keys(PARTNER_TABLES) as PairTable[]).find((t) => PARTNER_TABLES[t] === partner.type);
    if (table) pairs.push({ ...pair, param: `${pair.token}+${pair.partner}`, table });
  }
  resolved.set(params, pairs);
  return pairs;
}
