import type { FoundValue } from '../compiled-path.js';
import { parseDateRange } from '../date-range.js';
import { clip } from './fold.js';

/**
 * What each FHIR data type contributes to each kind of search index (R4 search.html, the tables
 * under "Search Parameter Types"). A type a parameter kind does not know contributes nothing.
 */
type Json = Record<string, unknown>;

export interface TokenValue {
  system: string | null;
  value: string | null;
}

export interface QuantityValue {
  value: number;
  system: string | null;
  code: string | null;
  unit: string | null;
}

export interface ReferenceValue {
  targetType: string | null;
  targetId: string | null;
  url: string | null;
}

export interface Range {
  low: number;
  high: number;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? clip(value) : typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function codings({ type, value }: FoundValue): Json[] {
  if (type === 'Coding') return [value as Json];
  if (type === 'CodeableConcept') return list((value as Json).coding) as Json[];
  return [];
}

export function tokenValues(found: FoundValue): TokenValue[] {
  const { type, value } = found;
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object') return [{ system: null, value: text(value) }];
  const v = value as Json;
  switch (type) {
    case 'Coding':
    case 'CodeableConcept':
      return codings(found)
        .filter((c) => c.code !== undefined || c.system !== undefined)
        .map((c) => ({ system: text(c.system), value: text(c.code) }));
    case 'Identifier':
      return v.value === undefined && v.system === undefined ? [] : [{ system: text(v.system), value: text(v.value) }];
    case 'ContactPoint':
      return v.value === undefined ? [] : [{ system: null, value: text(v.value) }];
    default:
      return [];
  }
}

/** The human-readable side of a token, for `:text`. */
export function tokenTexts(found: FoundValue): string[] {
  const v = found.value as Json;
  if (!v || typeof v !== 'object') return [];
  const texts: unknown[] = [];
  if (found.type === 'CodeableConcept') texts.push(v.text);
  if (found.type === 'Identifier') texts.push((v.type as Json | undefined)?.text);
  for (const c of codings(found)) texts.push(c.display);
  return texts.filter((t): t is string => typeof t === 'string' && t !== '');
}

/** Identifier type and value, for `:of-type` (system holds `typeSystem|typeCode`). */
export function identifierTypes(found: FoundValue): TokenValue[] {
  if (found.type !== 'Identifier' || !found.value) return [];
  const v = found.value as Json;
  if (typeof v.value !== 'string') return [];
  return codings({ type: 'CodeableConcept', value: v.type ?? {} }).map((c) => ({ system: `${text(c.system) ?? ''}|${text(c.code) ?? ''}`, value: text(v.value) }));
}

const NAME_PARTS = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS_PARTS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];

export function stringValues({ type, value }: FoundValue): string[] {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object') return [];
  const parts = type === 'HumanName' ? NAME_PARTS : type === 'Address' ? ADDRESS_PARTS : [];
  return parts.flatMap((p) => list((value as Json)[p])).filter((s): s is string => typeof s === 'string' && s !== '');
}

export function dateRanges({ type, value }: FoundValue): Range[] {
  if (typeof value === 'string') {
    const r = parseDateRange(value);
    return r ? [{ low: r.start, high: r.end }] : [];
  }
  if (!value || typeof value !== 'object') return [];
  const v = value as Json;
  if (type === 'Period') {
    const start = typeof v.start === 'string' ? parseDateRange(v.start) : undefined;
    const end = typeof v.end === 'string' ? parseDateRange(v.end) : undefined;
    if (!start && !end) return [];
    return [{ low: start?.start ?? -Infinity, high: end?.end ?? Infinity }];
  }
  if (type === 'Timing') return list(v.event).flatMap((e) => dateRanges({ type: 'dateTime', value: e }));
  return [];
}

export function numberValues({ value }: FoundValue): number[] {
  return typeof value === 'number' && Number.isFinite(value) ? [value] : [];
}

const QUANTITY_TYPES = new Set(['Quantity', 'SimpleQuantity', 'Age', 'Duration', 'Distance', 'Count', 'MoneyQuantity']);

export function quantityValues({ type, value }: FoundValue): QuantityValue[] {
  if (!value || typeof value !== 'object') return [];
  const v = value as Json;
  if (typeof v.value !== 'number') return [];
  if (type === 'Money') return [{ value: v.value, system: 'urn:iso:std:iso:4217', code: text(v.currency), unit: null }];
  if (!QUANTITY_TYPES.has(type)) return [];
  return [{ value: v.value, system: text(v.system), code: text(v.code), unit: text(v.unit) }];
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** A reference to this server is `Type/id`; anything else (absolute, canonical, urn) is kept as written. */
export function parseReference(reference: string): ReferenceValue {
  const m = RELATIVE.exec(reference);
  return m ? { targetType: m[1] ?? null, targetId: m[2] ?? null, url: null } : { targetType: null, targetId: null, url: clip(reference) };
}

export function referenceValues({ type, value }: FoundValue): ReferenceValue[] {
  if (typeof value === 'string') return type === 'canonical' || type === 'uri' || type === 'url' ? [{ targetType: null, targetId: null, url: clip(value) }] : [];
  if (type !== 'Reference' || !value || typeof value !== 'object') return [];
  const ref = (value as Json).reference;
  // A reference to a contained resource (#id) names nothing outside the resource.
  if (typeof ref !== 'string' || ref.startsWith('#')) return [];
  return [parseReference(ref)];
}

/** The logical identifier of a Reference, for `:identifier`. */
export function referenceIdentifiers({ type, value }: FoundValue): TokenValue[] {
  if (type !== 'Reference' || !value || typeof value !== 'object') return [];
  const identifier = (value as Json).identifier;
  return identifier ? tokenValues({ type: 'Identifier', value: identifier }) : [];
}

export function uriValues({ value }: FoundValue): string[] {
  return typeof value === 'string' ? [clip(value)] : [];
}
