import { FhirError } from '../errors/fhir-error.js';
import { parseDateRange, splitPrefix, type DatePrefix, type DateRange } from './date-range.js';
import { clip, fold } from './index/fold.js';

/**
 * The values of search parameters, parsed per type (R4 search.html). Each parser throws a 400
 * naming the parameter for a value of the wrong shape: a malformed value never silently matches
 * everything or nothing.
 */
export type Prefix = DatePrefix;

export interface TokenQuery {
  /** undefined: any system; null: no system. */
  system?: string | null;
  code?: string;
}

export interface DateQuery {
  prefix: Prefix;
  range: DateRange;
}

/** A decimal with the range its precision implies. */
export interface NumberQuery {
  prefix: Prefix;
  value: number;
  text: string;
  low: number;
  high: number;
}

export interface QuantityQuery extends NumberQuery {
  system?: string;
  code?: string;
}

export interface ReferenceQuery {
  type?: string;
  id?: string;
  url?: string;
}

/** Splits on commas that are not escaped with a backslash. */
/** The alternatives of a value (`a,b`); an empty one (`a,`) selects nothing, so it is left out rather than matching everything. */
export function splitOr(value: string): string[] {
  return value.split(/(?<!\\),/).filter((v) => v !== '');
}

/** Splits on an unescaped separator and removes the escapes. */
export function splitEscaped(value: string, separator: '|' | '$'): string[] {
  const pattern = separator === '|' ? /(?<!\\)\|/ : /(?<!\\)\$/;
  return value.split(pattern).map(unescape);
}

export function unescape(value: string): string {
  return value.replace(/\\([,|$\\])/g, '$1');
}

function invalid(param: string, value: string): FhirError {
  return new FhirError('search.param-invalid', { param, value });
}

export function parseToken(param: string, value: string): TokenQuery {
  const parts = splitEscaped(value, '|');
  if (parts.length === 1) return { code: clip(parts[0] as string) };
  if (parts.length !== 2) throw invalid(param, value);
  const [system = '', code = ''] = parts;
  return { system: system === '' ? null : clip(system), ...(code === '' ? {} : { code: clip(code) }) };
}

export function parseDate(param: string, value: string): DateQuery {
  const [prefix, text] = splitPrefix(value);
  const range = parseDateRange(text);
  if (!range) throw invalid(param, value);
  return { prefix, range };
}

const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export function parseNumber(param: string, value: string): NumberQuery {
  const [prefix, text] = numberPrefix(value);
  const m = DECIMAL.exec(text);
  if (!m) throw invalid(param, value);
  const n = Number(text);
  // Half a unit of the last significant digit either side: 100 → [99.5, 100.5), 1e2 → [50, 150).
  const decimals = (m[2]?.length ?? 0) - Number(m[3] ?? 0);
  const half = 0.5 * 10 ** -decimals;
  return { prefix, value: n, text, low: n - half, high: n + half };
}

function numberPrefix(value: string): [Prefix, string] {
  const prefix = value.slice(0, 2);
  return ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'].includes(prefix) ? [prefix as Prefix, value.slice(2)] : ['eq', value];
}

export function parseQuantity(param: string, value: string): QuantityQuery {
  const parts = splitEscaped(value, '|');
  if (parts.length !== 1 && parts.length !== 3) throw invalid(param, value);
  const [number = '', system = '', code = ''] = parts;
  return { ...parseNumber(param, number), ...(system ? { system } : {}), ...(code ? { code } : {}) };
}

const TYPED = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * `Type/id`, `id`, or a URL; a URL on this server's base means the same as `Type/id`, since that
 * is how the server stores references to itself.
 */
export function parseReference(param: string, value: string, baseUrl: string): ReferenceQuery {
  const local = value.startsWith(`${baseUrl}/`) ? value.slice(baseUrl.length + 1) : value;
  const typed = TYPED.exec(local);
  if (typed) return { type: typed[1] as string, id: typed[2] as string };
  if (ID.test(local)) return { id: local };
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return { url: clip(value) };
  throw invalid(param, value);
}

/** String search text, folded for the default and `:contains` matches. */
export function foldedText(value: string): string {
  return clip(fold(unescape(value)));
}

/** Escapes LIKE wildcards so that a searched `%` or `_` is a literal. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
