import { FhirError } from '../errors/fhir-error.js';
import { isKnownResourceType } from '../definitions/r4.js';
import { expandValueSet } from '../validation/value-set-expansion.js';
import type { ValueSet } from '@medplum/fhirtypes';
import { codeAndAncestors, codeAndDescendants, type StoredCodeSystems } from './code-hierarchy.js';
import { decodeCursor, type Cursor } from './cursor.js';
import type { DateQuery } from './parse-values.js';
import {
  foldedText,
  parseDate,
  parseNumber,
  parseQuantity,
  parseReference,
  parseToken,
  splitEscaped,
  splitOr,
  unescape,
  type NumberQuery,
  type QuantityQuery,
  type ReferenceQuery,
} from './parse-values.js';
import { referenceParams, searchParamsFor, SORTABLE_TYPES, type ParamType, type ResolvedParam } from './search-parameters.js';
import { pairsOf, PARTNER_TABLES, type PairTable } from './index/pairs.js';
import type { TableKey } from './index/tables.js';
import { canonicalQuantity } from './index/ucum.js';
import { refusePartialMatch, withBlindLookups } from '../repository/sealed-fields.js';

/** A condition on one index row; the table says which columns it reads. */
export type ValueCondition =
  | { table: 'token'; system?: string | null; code?: string; /** Other stored forms of `code` (blind indexes of sealed values). */ stored?: string[] }
  | { table: 'token'; codes: [system: string, code: string][] }
  | { table: 'string'; mode: 'prefix' | 'exact' | 'contains'; text: string }
  | ({ table: 'date' } & DateQuery)
  | ({ table: 'number' } & NumberQuery)
  | ({ table: 'quantity' } & QuantityQuery)
  | ({ table: 'reference'; types: string[] } & ReferenceQuery)
  | { table: 'uri'; mode: 'exact' | 'above' | 'below'; value: string };

/** Search filters; a search ANDs its filters, a filter ORs its alternatives. */
export type Filter =
  | { kind: 'id'; ids: string[]; not: boolean }
  | { kind: 'type'; types: string[] }
  | { kind: 'lastUpdated'; values: DateQuery[] }
  | { kind: 'value'; param: string; alternatives: ValueCondition[]; not: boolean; all?: boolean }
  | { kind: 'composite'; param: string; alternatives: ValueCondition[][] }
  /** A token filter and its partner's, read together from a pair table (index/pairs.ts): any token alternative and the partner's (all of them when `partnerAll`) on one row. */
  | { kind: 'pair'; param: string; table: PairTable; token: ValueCondition[]; partner: ValueCondition[]; partnerAll: boolean }
  | { kind: 'missing'; param: string; table: TableKey; missing: boolean }
  | { kind: 'chain'; param: string; targets: { type: string; filter: Filter }[] }
  | { kind: 'has'; sourceType: string; param: string; filter: Filter }
  | { kind: 'text'; column: 'narrative' | 'content'; alternatives: string[][] }
  | { kind: 'list'; ids: string[] }
  /** Location `near`: a position within `meters` of the point (great-circle distance). */
  | { kind: 'near'; param: string; latitude: number; longitude: number; meters: number }
  | { kind: 'compartment'; params: string[]; type: string; id: string; self: boolean }
  /** Alternatives of ANDed filters (access control: what any of a token's scopes permits). */
  | { kind: 'any'; alternatives: Filter[][] };

export interface SortKey {
  /** `_id`, `_lastUpdated` or a parameter code. */
  param: string;
  descending: boolean;
}

export interface IncludeSpec {
  /** `*` in a `_revinclude=*`: any type (then `params` is empty: any parameter). */
  sourceType: string;
  /** Reference parameter codes; `*` expanded. */
  params: string[];
  targetType?: string;
  iterate: boolean;
}

export type Summary = 'true' | 'text' | 'data' | 'false';

export interface ParsedSearch {
  resourceType: string | undefined;
  filters: Filter[];
  count: number;
  sort: SortKey[];
  cursor: Cursor | undefined;
  total: 'none' | 'estimate' | 'accurate';
  summary: Summary | 'count' | undefined;
  elements: string[] | undefined;
  includes: IncludeSpec[];
  revincludes: IncludeSpec[];
  /** Parameters ignored under `Prefer: handling=lenient`. */
  ignored: string[];
  /** The parameters that were applied, for the `self` link. */
  applied: [string, string][];
  /** `_contained`: top-level resources only, contained ones only, or both (contained.ts). */
  contained: 'false' | 'true' | 'both';
  /** `_containedType`: a contained match is answered by its container or by itself. */
  containedType: 'container' | 'contained';
  /** Filters a container of a contained match must pass (access control: the container is what is read). */
  containerFilters: Filter[];
}

export interface ParseOptions {
  lenient?: boolean;
  /** This server's FHIR base, so that absolute references to it are understood. */
  baseUrl?: string;
  /** The value sets and code systems stored on the server, for `:in`/`:not-in` and `:above`/`:below` beyond the shipped ones. */
  terminology?: StoredTerminology;
}

/** What the search needs of the terminology service (`@qiao/terminology`). */
export interface StoredTerminology extends StoredCodeSystems {
  valueSet(url: string): ValueSet | undefined;
  expand(url: string): { contains: { system: string; code: string }[] };
}

/** The modifiers whose values are resolved by the terminology service. */
export const TERMINOLOGY_MODIFIERS: ReadonlySet<string> = new Set(['in', 'not-in', 'above', 'below']);

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;
const MAX_CHAIN_DEPTH = 4;

/** Parameters that shape the answer rather than select resources. */
const RESULT_PARAMS = new Set(['_count', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude', '_cursor', '_contained', '_containedType']);
/** Parameters of the HTTP exchange, not of the search. */
const TRANSPORT_PARAMS = new Set(['_format', '_pretty']);

const TABLE_OF: Partial<Record<ParamType, TableKey>> = {
  token: 'token',
  string: 'string',
  date: 'date',
  number: 'number',
  quantity: 'quantity',
  reference: 'reference',
  uri: 'uri',
};

/** Modifiers each parameter type accepts (besides `:missing`, which all take). */
const MODIFIERS: Partial<Record<ParamType, readonly string[]>> = {
  token: ['not', 'text', 'of-type', 'in', 'not-in', 'above', 'below'],
  string: ['exact', 'contains'],
  uri: ['above', 'below'],
  reference: ['identifier'],
};

class Parser {
  constructor(
    private readonly options: ParseOptions,
    private readonly ignored: string[],
  ) {}

  /** One `name=value` of the query on `type`; undefined when ignored. */
  filter(type: string | undefined, rawName: string, value: string, depth = 0): Filter | undefined {
    if (depth > MAX_CHAIN_DEPTH) throw new FhirError('search.param-invalid', { param: rawName, value });
    if (rawName.startsWith('_has:')) return this.has(type, rawName, value, depth);
    const dot = rawName.indexOf('.');
    if (dot > 0) return this.chain(type, rawName, dot, value, depth);
    const [name = '', modifier] = splitModifier(rawName);
    if (modifier === 'missing' && (name === '_id' || name === '_lastUpdated')) {
      if (value !== 'true' && value !== 'false') throw new FhirError('search.param-invalid', { param: rawName, value });
      // Every resource has both: nothing is missing them.
      return value === 'true' ? { kind: 'id', ids: [], not: false } : { kind: 'id', ids: [], not: true };
    }
    switch (name) {
      case '_id':
        if (modifier && modifier !== 'not') return this.unsupportedModifier(name, modifier);
        return { kind: 'id', ids: splitOr(value).map(unescape), not: modifier === 'not' };
      case '_lastUpdated':
        if (modifier) return this.unsupportedModifier(name, modifier);
        return { kind: 'lastUpdated', values: splitOr(value).map((v) => parseDate(name, v)) };
      case '_type':
        if (type || modifier) return this.unknown(rawName, type);
        return { kind: 'type', types: splitOr(value).map((t) => knownType(name, t)) };
      case '_list':
        if (modifier) return this.unsupportedModifier(name, modifier);
        return { kind: 'list', ids: splitOr(value).map(unescape) };
      case '_text':
      case '_content':
        if (modifier) return this.unsupportedModifier(name, modifier);
        return { kind: 'text', column: name === '_text' ? 'narrative' : 'content', alternatives: textAlternatives(value) };
    }
    const param = searchParamsFor(type ?? 'Resource').get(name);
    if (!param) return this.unknown(rawName, type);
    if (modifier === 'missing') {
      if (value !== 'true' && value !== 'false') throw new FhirError('search.param-invalid', { param: rawName, value });
      return { kind: 'missing', param: param.type === 'composite' || param.type === 'special' ? `${name}$0` : name, table: tableOf(param), missing: value === 'true' };
    }
    if (param.type === 'composite') {
      if (modifier) return this.unsupportedModifier(name, modifier);
      return { kind: 'composite', param: name, alternatives: splitOr(value).map((v) => this.composite(param, v)) };
    }
    if (param.type === 'special') {
      if (modifier) return this.unsupportedModifier(name, modifier);
      const points = splitOr(value).map((v) => nearPoint(name, v));
      return points.length === 1 ? points[0] : { kind: 'any', alternatives: points.map((p) => [p as Filter]) };
    }
    refusePartialMatch(type, name, modifier);
    if (param.type === 'reference' && modifier && modifier !== 'identifier') {
      if (!isKnownResourceType(modifier) || (param.targets.length && !param.targets.includes(modifier))) return this.unsupportedModifier(name, modifier);
    } else if (modifier && !MODIFIERS[param.type]?.includes(modifier)) {
      return this.unsupportedModifier(name, modifier);
    }
    return withBlindLookups(type, this.value(param, modifier, value));
  }

  /**
   * `name=value` on each of `types`: one filter when it reads the same for all of them, else each
   * type's own (a sealed field's blind index, a partner pair) behind its type.
   */
  filterAcross(types: string[], name: string, value: string): Filter | undefined {
    const each = types.map((type) => ({ type: knownType('_type', type), filter: this.filter(type, name, value) }));
    if (each.some((e) => e.filter === undefined)) return undefined;
    const first = JSON.stringify(each[0]?.filter);
    if (each.every((e) => JSON.stringify(e.filter) === first)) return each[0]?.filter;
    return { kind: 'any', alternatives: each.map((e) => [{ kind: 'type', types: [e.type] }, e.filter as Filter]) };
  }

  private value(param: ResolvedParam, modifier: string | undefined, value: string): Filter {
    const code = param.code;
    const values = splitOr(value);
    switch (modifier) {
      case 'not':
        return { kind: 'value', param: code, alternatives: values.map((v) => ({ table: 'token', ...parseToken(code, v) })), not: true };
      case 'text':
        return { kind: 'value', param: `${code}:text`, alternatives: values.map((v) => ({ table: 'string', mode: 'prefix', text: foldedText(v) })), not: false };
      case 'of-type':
        return { kind: 'value', param: `${code}:of-type`, alternatives: values.map((v) => ofType(code, v)), not: false };
      case 'identifier':
        return { kind: 'value', param: `${code}:identifier`, alternatives: values.map((v) => ({ table: 'token', ...parseToken(code, v) })), not: false };
      case 'in':
      case 'not-in':
        return { kind: 'value', param: code, alternatives: values.map((v) => valueSetCodes(code, v, this.options.terminology)), not: modifier === 'not-in' };
      case 'above':
      case 'below':
        return {
          kind: 'value',
          param: code,
          alternatives: values.map((v) => (param.type === 'uri' ? { table: 'uri', mode: modifier, value: unescape(v) } : hierarchyCodes(code, v, modifier, this.options.terminology))),
          not: false,
        };
    }
    return { kind: 'value', param: code, alternatives: values.map((v) => this.condition(param.type, code, v, modifier, param.targets)), not: false };
  }

  /** One search value of a parameter type (also used for composite components). */
  condition(type: ParamType, code: string, value: string, modifier?: string, targets: string[] = []): ValueCondition {
    switch (type) {
      case 'token':
        return { table: 'token', ...parseToken(code, value) };
      case 'string':
        return modifier === 'exact' ? { table: 'string', mode: 'exact', text: unescape(value) } : { table: 'string', mode: modifier === 'contains' ? 'contains' : 'prefix', text: foldedText(value) };
      case 'date':
        return { table: 'date', ...parseDate(code, value) };
      case 'number':
        return { table: 'number', ...parseNumber(code, value) };
      case 'quantity':
        return { table: 'quantity', ...parseQuantity(code, value) };
      case 'reference': {
        const ref = parseReference(code, unescape(value), this.options.baseUrl ?? '');
        const types = modifier ? [modifier] : ref.type ? [ref.type] : targets;
        if (modifier && ref.type && ref.type !== modifier) throw new FhirError('search.param-invalid', { param: `${code}:${modifier}`, value });
        return { table: 'reference', types, ...ref };
      }
      case 'uri':
        return { table: 'uri', mode: 'exact', value: unescape(value) };
      default:
        throw new FhirError('search.param-unknown', { param: code, type: '*' });
    }
  }

  private composite(param: ResolvedParam, value: string): ValueCondition[] {
    const parts = value.split(/(?<!\\)\$/);
    if (parts.length !== param.components.length) throw new FhirError('search.param-invalid', { param: param.code, value });
    return param.components.map((component, k) => this.condition(component.type, param.code, parts[k] as string));
  }

  /** `ref[:Type].rest=value`: resources whose reference points at a resource matching `rest=value`. */
  private chain(type: string | undefined, rawName: string, dot: number, value: string, depth: number): Filter | undefined {
    const [name = '', modifier] = splitModifier(rawName.slice(0, dot));
    const rest = rawName.slice(dot + 1);
    const param = searchParamsFor(type ?? 'Resource').get(name);
    if (!param) return this.unknown(rawName, type);
    if (param.type !== 'reference') throw new FhirError('search.param-invalid', { param: rawName, value });
    const candidates = modifier ? [knownType(rawName, modifier)] : param.targets;
    const restName = splitModifier(rest.split('.')[0] ?? '')[0] ?? '';
    const targets = candidates
      .filter((t) => modifier || restName.startsWith('_') || searchParamsFor(t).has(restName))
      .map((t) => ({ type: t, filter: this.filter(t, rest, value, depth + 1) }))
      .filter((t): t is { type: string; filter: Filter } => t.filter !== undefined);
    if (targets.length === 0) return this.unknown(rawName, type);
    return { kind: 'chain', param: name, targets };
  }

  /** `_has:Source:param:rest=value`: resources that a Source matching `rest=value` references through `param`. */
  private has(type: string | undefined, rawName: string, value: string, depth: number): Filter | undefined {
    const [, sourceType = '', paramName = '', ...restParts] = rawName.split(':');
    const rest = restParts.join(':');
    if (!type || !rest) throw new FhirError('search.param-invalid', { param: rawName, value });
    knownType(rawName, sourceType);
    const param = searchParamsFor(sourceType).get(paramName);
    if (!param || param.type !== 'reference' || (param.targets.length > 0 && !param.targets.includes(type))) return this.unknown(rawName, type);
    const filter = this.filter(sourceType, rest, value, depth + 1);
    return filter ? { kind: 'has', sourceType, param: paramName, filter } : undefined;
  }

  private unknown(rawName: string, type: string | undefined): undefined {
    if (this.options.lenient) {
      this.ignored.push(rawName);
      return undefined;
    }
    throw new FhirError('search.param-unknown', { param: rawName, type: type ?? '*' });
  }

  private unsupportedModifier(name: string, modifier: string): undefined {
    if (this.options.lenient) {
      this.ignored.push(`${name}:${modifier}`);
      return undefined;
    }
    throw new FhirError('search.modifier-unsupported', { param: name, modifier });
  }
}

function splitModifier(name: string): [string, string | undefined] {
  const colon = name.indexOf(':');
  return colon < 0 ? [name, undefined] : [name.slice(0, colon), name.slice(colon + 1)];
}

function knownType(param: string, type: string): string {
  if (!isKnownResourceType(type)) throw new FhirError('search.param-invalid', { param, value: type });
  return type;
}

function tableOf(param: ResolvedParam): TableKey {
  if (param.type === 'special') return 'number';
  const type = param.type === 'composite' ? param.components[0]?.type : param.type;
  const table = type && TABLE_OF[type];
  if (!table) throw new FhirError('search.param-unknown', { param: param.code, type: '*' });
  return table;
}

function ofType(param: string, value: string): ValueCondition {
  const parts = splitEscaped(value, '|');
  if (parts.length !== 3 || !parts[2]) throw new FhirError('search.param-invalid', { param: `${param}:of-type`, value });
  return { table: 'token', system: `${parts[0]}|${parts[1]}`, code: parts[2] };
}

function valueSetCodes(param: string, url: string, terminology: StoredTerminology | undefined): ValueCondition {
  const canonical = unescape(url).split('|')[0] as string;
  const expansion = expandValueSet(canonical);
  const codes = expansion ? [...expansion].flatMap(([system, members]) => [...members].map((c) => [system, c] as [string, string])) : storedValueSetCodes(canonical, terminology);
  if (!codes) throw new FhirError('search.valueset-unknown', { param, url });
  return { table: 'token', codes };
}

/**
 * The codes of a value set the server holds beyond R4's own, when they are all known: a whole code
 * system that is only partly loaded (content other than `complete`) would leave codes out, and a
 * search must not answer as if they were not there.
 */
function storedValueSetCodes(url: string, terminology: StoredTerminology | undefined): [string, string][] | undefined {
  const vs = terminology?.valueSet(url);
  if (!terminology || !vs) return undefined;
  const includes = [...(vs.compose?.include ?? []), ...(vs.compose?.exclude ?? [])];
  if (includes.some((inc) => inc.system && !inc.concept && terminology.codeSystem(inc.system)?.content !== 'complete')) return undefined;
  try {
    return terminology.expand(url).contains.map((c) => [c.system, c.code]);
  } catch {
    // Not expandable here (a code system not held, too large): the search cannot be answered.
    return undefined;
  }
}

function hierarchyCodes(param: string, value: string, direction: 'above' | 'below', terminology: StoredTerminology | undefined): ValueCondition {
  const token = parseToken(param, value);
  const codes = token.system && token.code ? (direction === 'below' ? codeAndDescendants : codeAndAncestors)(token.system, token.code, terminology) : undefined;
  if (!codes || !token.system) throw new FhirError('search.hierarchy-unknown', { param: `${param}:${direction}`, value });
  const system = token.system;
  return { table: 'token', codes: codes.map((c) => [system, c]) };
}

/** Without a distance, `near` means this close (R4 leaves it to the server). */
const NEAR_DEFAULT_KM = 10;

/** `latitude|longitude[|distance[|units]]`; units are UCUM lengths, km when left out. */
function nearPoint(param: string, value: string): Extract<Filter, { kind: 'near' }> {
  const [lat = '', lon = '', distance = '', units = ''] = splitEscaped(value, '|');
  const latitude = Number(lat);
  const longitude = Number(lon);
  const numeric = (v: string) => /^-?\d+(\.\d+)?$/.test(v);
  if (!numeric(lat) || !numeric(lon) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) throw new FhirError('search.param-invalid', { param, value });
  const length = canonicalQuantity(distance === '' ? String(NEAR_DEFAULT_KM) : distance, units === '' ? 'km' : units);
  if (!length || length.code !== 'm' || Number(length.value) < 0) throw new FhirError('search.param-invalid', { param, value });
  return { kind: 'near', param, latitude, longitude, meters: Number(length.value) };
}

/** Words that must all occur, with `OR` between words making alternatives. */
function textAlternatives(value: string): string[][] {
  return value
    .split(/\s+OR\s+/)
    .map((group) => group.split(/\s+/).filter(Boolean).map(foldedText))
    .filter((words) => words.length > 0);
}

/**
 * Parses a search: selection parameters into filters, result parameters into controls. An
 * unknown parameter is an error unless the client asked for lenient handling.
 */
export function parseSearch(resourceType: string | undefined, params: [string, string][], options: ParseOptions = {}): ParsedSearch {
  const parsed: ParsedSearch = {
    resourceType,
    filters: [],
    count: DEFAULT_COUNT,
    sort: [],
    cursor: undefined,
    total: 'accurate',
    summary: undefined,
    elements: undefined,
    includes: [],
    revincludes: [],
    ignored: [],
    applied: [],
    contained: 'false',
    containedType: 'container',
    containerFilters: [],
  };
  const parser = new Parser(options, parsed.ignored);
  // A system search limited by `_type` takes the parameters its types have in common (R4 search §3.1.1.4).
  const listedTypes = resourceType ? [] : [...new Set(params.filter(([n]) => n === '_type').flatMap(([, v]) => splitOr(v)))];
  for (const [name, value] of params) {
    if (TRANSPORT_PARAMS.has(name)) continue;
    try {
      // PostgreSQL text cannot hold U+0000: refused here, before it reaches a statement.
      if (name.includes('\u0000') || value.includes('\u0000')) throw new FhirError('search.param-invalid', { param: name.replaceAll('\u0000', '\\u0000'), value: value.replaceAll('\u0000', '\\u0000') });
      if (RESULT_PARAMS.has(name.split(':')[0] ?? '')) {
        if (applyResultParam(parsed, name, value, options)) parsed.applied.push([name, value]);
        continue;
      }
      // R4: a parameter with an empty value is ignored; one of separators only has no value to match.
      if (value === '') continue;
      if (splitOr(value).length === 0) throw new FhirError('search.param-invalid', { param: name, value });
      const filter = listedTypes.length && !name.startsWith('_') ? parser.filterAcross(listedTypes, name, value) : parser.filter(resourceType, name, value);
      if (filter) {
        parsed.filters.push(filter);
        parsed.applied.push([name, value]);
      }
    } catch (error) {
      // Whatever a parameter's parse refused, the outcome points at that parameter.
      if (error instanceof FhirError) for (const issue of error.issues) issue.expression ??= name;
      throw error;
    }
  }
  if (resourceType) parsed.filters = pairFilters(resourceType, mergeRanges(resourceType, parsed.filters));
  if (parsed.contained !== 'false') checkContainedSearch(parsed);
  return parsed;
}

/**
 * Contained resources are found by type and served in key order: a search across types, or one
 * sorted, is refused rather than answered differently from what was asked.
 */
function checkContainedSearch(parsed: ParsedSearch): void {
  if (!parsed.resourceType) throw new FhirError('search.param-invalid', { param: '_contained', value: parsed.contained }, '_contained');
  if (parsed.sort.length > 0) throw new FhirError('search.param-invalid', { param: '_sort', value: parsed.sort.map((s) => `${s.descending ? '-' : ''}${s.param}`).join(',') }, '_sort');
}

/**
 * `date=ge2024-01-01&date=lt2024-02-01` on a parameter with one value per resource is one range
 * on one index row: checked together, the index answers the range instead of two half-open scans
 * that each match half the table.
 */
const SCALAR_TABLES: ReadonlySet<TableKey> = new Set(['date', 'number', 'quantity']);

function mergeRanges(resourceType: string, filters: Filter[]): Filter[] {
  const merged = new Map<string, Extract<Filter, { kind: 'value' }>>();
  const out: Filter[] = [];
  for (const filter of filters) {
    // One element can still hold several token or string values (codings, name parts); a date, number or quantity is one row.
    const mergeable =
      filter.kind === 'value' &&
      !filter.not &&
      filter.alternatives.length === 1 &&
      SCALAR_TABLES.has(filter.alternatives[0]?.table ?? 'token') &&
      searchParamsFor(resourceType).get(filter.param)?.singleValued === true;
    if (!mergeable) {
      out.push(filter);
      continue;
    }
    const existing = merged.get(filter.param);
    if (existing) {
      existing.alternatives.push(...filter.alternatives);
      existing.all = true;
      continue;
    }
    const copy = { ...filter, alternatives: [...filter.alternatives] };
    merged.set(filter.param, copy);
    out.push(copy);
  }
  return out;
}

/**
 * A token filter and a filter on its partner of an indexed pair (index/pairs.ts) become one filter
 * on the pair's rows. Only plain positive filters: a modifier (`:not`, `:text`, `:missing`, …) reads
 * rows of its own, and several filters on the token (AND) pair only the first.
 */
function pairFilters(resourceType: string, filters: Filter[]): Filter[] {
  let out = filters;
  for (const pair of pairsOf(resourceType)) {
    const token = out.find((f): f is ValueFilter => plainFilter(f, pair.token, 'token') && !f.all);
    const partner = out.find((f): f is ValueFilter => plainFilter(f, pair.partner, PARTNER_TABLES[pair.table]));
    if (!token || !partner) continue;
    const merged: Filter = { kind: 'pair', param: pair.param, table: pair.table, token: token.alternatives, partner: partner.alternatives, partnerAll: partner.all === true };
    out = out.flatMap((f) => (f === token ? [merged] : f === partner ? [] : [f]));
  }
  return out;
}

export type ValueFilter = Extract<Filter, { kind: 'value' }>;

/** A positive value filter on `param` without modifier rows of its own, all of whose values are in `table`. */
export function plainFilter(f: Filter, param: string, table: TableKey): f is ValueFilter {
  return f.kind === 'value' && f.param === param && !f.not && f.alternatives.length > 0 && f.alternatives.every((a) => a.table === table);
}

/** Applies one result parameter; false when it was ignored. */
function applyResultParam(parsed: ParsedSearch, name: string, value: string, options: ParseOptions): boolean {
  const invalid = () => new FhirError('search.param-invalid', { param: name, value });
  const [base, modifier] = splitModifier(name);
  switch (base) {
    case '_count': {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw invalid();
      parsed.count = Math.min(n, MAX_COUNT);
      return true;
    }
    case '_sort':
      parsed.sort = value.split(',').map((key) => {
        const descending = key.startsWith('-');
        const param = descending ? key.slice(1) : key;
        if (param !== '_id' && param !== '_lastUpdated') {
          const definition = searchParamsFor(parsed.resourceType ?? 'Resource').get(param);
          if (!definition || !SORTABLE_TYPES.has(definition.type)) throw invalid();
        }
        return { param, descending };
      });
      return true;
    case '_cursor':
      parsed.cursor = decodeCursor(value);
      if (!parsed.cursor) throw invalid();
      return false;
    case '_total':
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') throw invalid();
      parsed.total = value;
      return true;
    case '_summary':
      if (value !== 'true' && value !== 'false' && value !== 'text' && value !== 'data' && value !== 'count') throw invalid();
      parsed.summary = value;
      return true;
    case '_elements':
      parsed.elements = value.split(',').map((e) => e.trim()).filter(Boolean);
      return true;
    case '_include':
    case '_revinclude': {
      if (modifier && modifier !== 'iterate') throw invalid();
      const spec = parseInclude(name, value, base === '_revinclude', modifier === 'iterate', parsed.resourceType);
      (base === '_include' ? parsed.includes : parsed.revincludes).push(spec);
      return true;
    }
    case '_contained':
    case '_containedType': {
      const valid = base === '_contained' ? value === 'false' || value === 'true' || value === 'both' : value === 'container' || value === 'contained';
      if (!valid || modifier) {
        if (options.lenient) {
          parsed.ignored.push(`${name}=${value}`);
          return false;
        }
        throw new FhirError('search.param-invalid', { param: name, value }, name);
      }
      if (base === '_contained') parsed.contained = value as ParsedSearch['contained'];
      else parsed.containedType = value as ParsedSearch['containedType'];
      return true;
    }
    default:
      return false;
  }
}

function parseInclude(name: string, value: string, reverse: boolean, iterate: boolean, resourceType: string | undefined): IncludeSpec {
  const [sourceType = '', paramName = '', targetType] = value.split(':');
  if (sourceType === '*' && !reverse) {
    if (!resourceType) throw new FhirError('search.param-invalid', { param: name, value });
    return { sourceType: resourceType, params: referenceParams(resourceType), iterate };
  }
  // `_revinclude=*` (or `*:*`): every resource referencing the page's, whatever its type and parameter.
  if (sourceType === '*' && (paramName === '' || paramName === '*') && targetType === undefined) return { sourceType: '*', params: [], iterate };
  knownType(name, sourceType);
  if (targetType !== undefined) knownType(name, targetType);
  if (paramName === '*' || paramName === '') return { sourceType, params: referenceParams(sourceType), ...(targetType ? { targetType } : {}), iterate };
  const param = searchParamsFor(sourceType).get(paramName);
  if (!param || param.type !== 'reference') throw new FhirError('search.param-invalid', { param: name, value });
  return { sourceType, params: [paramName], ...(targetType ? { targetType } : {}), iterate };
}

export function assertSearchableType(type: string): void {
  if (!isKnownResourceType(type)) throw new FhirError('resource.type-unknown', { type });
}
