import { isIndexedToken, searchParamsFor, type ResolvedParam } from './search-parameters.js';
import type { FoundValue } from './compiled-path.js';

/** One row of the token index. */
export interface TokenRow {
  param: string;
  system: string | null;
  value: string | null;
}

const tokenParamCache = new Map<string, ResolvedParam[]>();

function tokenParams(resourceType: string): ResolvedParam[] {
  let list = tokenParamCache.get(resourceType);
  if (!list) {
    list = [...searchParamsFor(resourceType).values()].filter(isIndexedToken);
    tokenParamCache.set(resourceType, list);
  }
  return list;
}

/** Extracts every token-parameter value of a resource, deduplicated. */
export function extractTokens(resource: Record<string, unknown>): TokenRow[] {
  const rows: TokenRow[] = [];
  const seen = new Set<string>();
  for (const param of tokenParams(resource.resourceType as string)) {
    for (const evaluate of param.evaluators) {
      for (const found of evaluate(resource)) {
        for (const [system, value] of tokensOf(found)) {
          const key = `${param.code}\u0000${system}\u0000${value}`;
          if (seen.has(key)) continue;
          seen.add(key);
          rows.push({ param: param.code, system, value });
        }
      }
    }
  }
  return rows;
}

type Token = [system: string | null, value: string | null];

function tokensOf({ type, value }: FoundValue): Token[] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object') return [[null, String(value)]];
  const v = value as Record<string, unknown>;
  switch (type) {
    case 'CodeableConcept':
      return Array.isArray(v.coding) ? v.coding.flatMap((c) => tokensOf({ type: 'Coding', value: c })) : [];
    case 'Coding':
      return v.code === undefined && v.system === undefined ? [] : [[str(v.system), str(v.code)]];
    case 'Identifier':
      return v.value === undefined && v.system === undefined ? [] : [[str(v.system), str(v.value)]];
    case 'ContactPoint':
      return v.value === undefined ? [] : [[null, str(v.value)]];
    default:
      return [];
  }
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : value === undefined || value === null ? null : String(value);
}
