import { FhirError } from '../errors/fhir-error.js';
import { isKnownResourceType } from '../definitions/r4.js';
import { parseDateRange, splitPrefix, type DatePrefix, type DateRange } from './date-range.js';
import { isIndexedToken, searchParamsFor } from './search-parameters.js';

export type Filter =
  | { kind: 'id'; ids: string[] }
  | { kind: 'lastUpdated'; prefix: DatePrefix; range: DateRange }
  | { kind: 'token'; param: string; values: { system?: string | null; code?: string }[]; not: boolean };

export interface ParsedSearch {
  resourceType: string | undefined;
  filters: Filter[];
  count: number;
  offset: number;
  sort: { column: 'last_updated' | 'id'; descending: boolean }[];
  total: 'none' | 'estimate' | 'accurate';
  summaryCount: boolean;
  /** Parameters ignored under `Prefer: handling=lenient`. */
  ignored: string[];
}

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;

/** Parameters that shape the answer rather than select resources; the HTTP layer applies some of them. */
const RESULT_PARAMS = new Set(['_count', '_offset', '_sort', '_total', '_summary', '_elements', '_format', '_pretty']);

/**
 * Parses the search parameters this engine supports so far: `_id`, `_lastUpdated`, and every
 * token parameter of the type (identifier, codes, `_tag`, `_profile`, `_security`, …). An unknown
 * parameter is an error unless the client asked for lenient handling.
 */
export function parseSearch(resourceType: string | undefined, params: [string, string][], lenient = false): ParsedSearch {
  const parsed: ParsedSearch = {
    resourceType,
    filters: [],
    count: DEFAULT_COUNT,
    offset: 0,
    sort: [],
    total: 'accurate',
    summaryCount: false,
    ignored: [],
  };
  // System-level search offers the parameters every resource has (_tag, _profile, _security, …).
  const typeParams = searchParamsFor(resourceType ?? 'Resource');
  for (const [rawName, value] of params) {
    const [name = '', modifier] = rawName.split(':');
    if (RESULT_PARAMS.has(name)) {
      applyResultParam(parsed, name, value);
      continue;
    }
    if (name === '_id' && !modifier) {
      parsed.filters.push({ kind: 'id', ids: value.split(',') });
      continue;
    }
    if (name === '_lastUpdated' && !modifier) {
      const [prefix, text] = splitPrefix(value);
      const range = parseDateRange(text);
      if (!range) throw new FhirError('search.param-invalid', { param: name, value });
      parsed.filters.push({ kind: 'lastUpdated', prefix, range });
      continue;
    }
    const definition = typeParams?.get(name);
    const tokenLike = definition !== undefined && isIndexedToken(definition);
    if (!tokenLike || (modifier && modifier !== 'not')) {
      if (lenient) {
        parsed.ignored.push(rawName);
        continue;
      }
      if (tokenLike) throw new FhirError('search.modifier-unsupported', { param: name, modifier: modifier ?? '' });
      throw new FhirError('search.param-unknown', { param: rawName, type: resourceType ?? '*' });
    }
    parsed.filters.push({ kind: 'token', param: name, values: splitOr(value).map(parseToken), not: modifier === 'not' });
  }
  return parsed;
}

function applyResultParam(parsed: ParsedSearch, name: string, value: string): void {
  switch (name) {
    case '_count': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new FhirError('search.param-invalid', { param: name, value });
      parsed.count = Math.min(n, MAX_COUNT);
      return;
    }
    case '_offset': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new FhirError('search.param-invalid', { param: name, value });
      parsed.offset = n;
      return;
    }
    case '_sort':
      parsed.sort = value.split(',').map((key) => {
        const descending = key.startsWith('-');
        const param = descending ? key.slice(1) : key;
        if (param !== '_lastUpdated' && param !== '_id') throw new FhirError('search.param-invalid', { param: name, value });
        return { column: param === '_id' ? 'id' : 'last_updated', descending };
      });
      return;
    case '_total':
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') throw new FhirError('search.param-invalid', { param: name, value });
      parsed.total = value;
      return;
    case '_summary':
      if (!['true', 'false', 'text', 'data', 'count'].includes(value)) throw new FhirError('search.param-invalid', { param: name, value });
      parsed.summaryCount = value === 'count';
      return;
    default:
      return;
  }
}

/** Splits on commas that are not escaped with a backslash. */
function splitOr(value: string): string[] {
  return value.split(/(?<!\\),/).map((v) => v.replace(/\\([,|$\\])/g, '$1'));
}

function parseToken(value: string): { system?: string | null; code?: string } {
  const bar = value.search(/(?<!\\)\|/);
  if (bar < 0) return { code: value };
  const system = value.slice(0, bar);
  const code = value.slice(bar + 1);
  return { system: system === '' ? null : system, ...(code === '' ? {} : { code }) };
}

export function assertSearchableType(type: string): void {
  if (!isKnownResourceType(type)) throw new FhirError('resource.type-unknown', { type });
}
