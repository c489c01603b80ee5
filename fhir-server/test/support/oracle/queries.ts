import type { TypedValue } from '@medplum/core';
import type { Quantity } from '@medplum/fhirtypes';
import { randomDate, respell, ZONES } from './corpus.js';
import { parameter, stringsOf, tokensOf, type Oracle } from './evaluate.js';
import type { Random } from './random.js';
import { decimalOf, escape, formatDecimal, shift, UCUM, UCUM_UNITS, type Decimal } from './values.js';

export interface Query {
  type: string;
  /** Encoded, without `_count`. */
  query: string;
}

type Target = readonly [type: string, code: string];

const STRINGS: Target[] = [
  ['Patient', 'name'],
  ['Patient', 'name'],
  ['Patient', 'family'],
  ['Patient', 'given'],
  ['Patient', 'address-city'],
  ['Patient', 'address'],
  ['Observation', 'value-string'],
];
const TOKENS: Target[] = [
  ['Patient', 'identifier'],
  ['Patient', 'identifier'],
  ['Patient', 'gender'],
  ['Patient', 'active'],
  ['Patient', 'telecom'],
  ['Patient', '_tag'],
  ['Observation', 'code'],
  ['Observation', 'code'],
  ['Observation', 'status'],
  ['Observation', 'value-concept'],
  ['Observation', 'combo-code'],
  ['Encounter', 'status'],
  ['Encounter', 'class'],
  ['Condition', 'code'],
  ['Condition', 'clinical-status'],
  ['DiagnosticReport', 'code'],
  ['DiagnosticReport', '_tag'],
];
const DATES: Target[] = [
  ['Patient', 'birthdate'],
  ['Observation', 'date'],
  ['Observation', 'date'],
  ['Encounter', 'date'],
  ['Condition', 'onset-date'],
  ['DiagnosticReport', 'date'],
];
const QUANTITIES: Target[] = [
  ['Observation', 'value-quantity'],
  ['Observation', 'value-quantity'],
  ['Observation', 'value-quantity'],
  ['Observation', 'component-value-quantity'],
];
const REFERENCES: Target[] = [
  ['Observation', 'subject'],
  ['Observation', 'patient'],
  ['Encounter', 'subject'],
  ['Encounter', 'patient'],
  ['Condition', 'patient'],
  ['DiagnosticReport', 'subject'],
  ['DiagnosticReport', 'result'],
];
const COMPOSITES: Target[] = [
  ['Observation', 'code-value-quantity'],
  ['Observation', 'component-code-value-quantity'],
];
const PATIENT_CHAINED = ['name', 'family', 'identifier', 'gender', 'birthdate', 'address-city'];
const CHAINS: readonly [type: string, chain: string, target: string, codes: string[]][] = [
  ['Observation', 'subject:Patient', 'Patient', PATIENT_CHAINED],
  ['Observation', 'subject', 'Patient', PATIENT_CHAINED],
  ['Observation', 'patient', 'Patient', PATIENT_CHAINED],
  ['Encounter', 'patient', 'Patient', PATIENT_CHAINED],
  ['Condition', 'subject:Patient', 'Patient', PATIENT_CHAINED],
  ['DiagnosticReport', 'result', 'Observation', ['code', 'value-quantity', 'date', 'status']],
  ['DiagnosticReport', 'result:Observation.subject:Patient', 'Patient', PATIENT_CHAINED],
];
const REVERSE: readonly [type: string, has: string, source: string, codes: string[]][] = [
  ['Patient', '_has:Observation:patient', 'Observation', ['code', 'value-quantity', 'status', 'date']],
  ['Patient', '_has:Condition:patient', 'Condition', ['code', 'clinical-status']],
  ['Observation', '_has:DiagnosticReport:result', 'DiagnosticReport', ['status', 'code']],
  ['Patient', '_has:Observation:patient:_has:DiagnosticReport:result', 'DiagnosticReport', ['status', 'code']],
];
const MISSING: Target[] = [
  ['Patient', 'family'],
  ['Patient', 'gender'],
  ['Patient', 'identifier'],
  ['Patient', 'active'],
  ['Patient', 'birthdate'],
  ['Patient', '_tag'],
  ['Observation', 'date'],
  ['Observation', 'value-quantity'],
  ['Observation', 'value-string'],
  ['Observation', 'subject'],
  ['Observation', 'patient'],
  ['Encounter', 'date'],
  ['Condition', 'clinical-status'],
  ['DiagnosticReport', 'result'],
];
const SORTS: Record<string, string[]> = { Patient: ['birthdate', 'family'], Observation: ['date'] };
const PREFIXES = ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'];

const enc = encodeURIComponent;

/** Random queries whose values mostly come from the corpus, so that they find something. */
export class QueryMaker {
  constructor(
    private readonly rng: Random,
    private readonly oracle: Oracle,
    private readonly base: string,
  ) {}

  string = () => this.simple(STRINGS);
  token = () => this.simple(TOKENS);
  date = (): Query => {
    const [type, code] = this.rng.pick(DATES);
    // Repeating the parameter ANDs, e.g. a window between two bounds.
    const clauses = Array.from({ length: this.rng.chance(0.2) ? 2 : 1 }, () => this.clause(type, code));
    return { type, query: clauses.join('&') };
  };
  quantity = () => this.simple(QUANTITIES);
  reference = () => this.simple(REFERENCES);
  composite = () => this.simple(COMPOSITES);
  missing = (): Query => {
    const [type, code] = this.rng.pick(MISSING);
    return { type, query: `${code}:missing=${this.rng.chance(0.5)}` };
  };

  chain = (): Query => {
    if (this.rng.chance(0.4)) {
      const [type, has, source, codes] = this.rng.pick(REVERSE);
      return { type, query: `${has}:${this.clause(source, this.rng.pick(codes))}` };
    }
    const [type, chain, target, codes] = this.rng.pick(CHAINS);
    return { type, query: `${chain}.${this.clause(target, this.rng.pick(codes))}` };
  };

  /**
   * Two or three clauses on one type, sometimes the same parameter twice, sometimes with `_id`. Values
   * come from one anchor resource, else independent clauses would rarely intersect.
   */
  combined = (): Query => {
    const type = this.rng.pick(['Patient', 'Observation', 'Observation', 'Encounter', 'DiagnosticReport']);
    const anchor = this.rng.pick(this.oracle.ofType(type));
    const codes = [...STRINGS, ...TOKENS, ...DATES, ...QUANTITIES, ...REFERENCES]
      .filter(([t, code]) => t === type && this.oracle.values(anchor, code).length)
      .map(([, code]) => code);
    const clauses = Array.from({ length: this.rng.int(2, 3) }, () => this.clause(type, this.rng.pick(codes), [anchor]));
    if (this.rng.chance(0.3)) {
      const ids = this.rng.some(this.oracle.ofType(type), 1, 12).map((r) => r.id);
      clauses[0] = `_id=${enc([anchor.id, ...ids].join(','))}`;
    }
    return { type, query: clauses.join('&') };
  };

  /**
   * A code with its date or value — the pairs the server indexes together (index/pairs.ts) — from
   * one anchor, sometimes a window (the partner twice) or a second code.
   */
  pair = (): Query => {
    const [type, partner] = this.rng.pick([
      ['Observation', 'date'],
      ['Observation', 'value-quantity'],
      ['DiagnosticReport', 'date'],
    ] as const);
    const anchors = this.oracle.ofType(type).filter((r) => this.oracle.values(r, partner).length && this.oracle.values(r, 'code').length);
    const anchor = this.rng.pick(anchors);
    const clauses = [this.clause(type, 'code', [anchor]), this.clause(type, partner, [anchor])];
    if (this.rng.chance(0.3)) clauses.push(this.clause(type, partner, [anchor]));
    if (this.rng.chance(0.2)) clauses.push(this.clause(type, 'code', [anchor]));
    if (this.rng.chance(0.5)) clauses.reverse();
    return { type, query: clauses.join('&') };
  };

  /** A code, now and then with another filter, sorted by the date it is indexed together with (a walk of the pair's rows). */
  pairSort = (): Query => {
    const type = this.rng.pick(['Observation', 'DiagnosticReport']);
    const anchors = this.oracle.ofType(type).filter((r) => this.oracle.values(r, 'code').length);
    const anchor = this.rng.pick(anchors);
    // Every code of one resource ORed: its pair rows tie on the date, and it must still come once.
    const codes = tokensOf(this.oracle.values(anchor, 'code')).flatMap((t) => (t.code === undefined ? [] : [escape(t.code)]));
    const clauses = [codes.length > 1 && this.rng.chance(0.5) ? `code=${enc(codes.join(','))}` : this.clause(type, 'code', [anchor, this.rng.pick(anchors)])];
    if (this.rng.chance(0.3)) clauses.push(this.clause(type, this.rng.pick(['status', 'subject']), anchors));
    return { type, query: `${clauses.join('&')}&_sort=${this.rng.chance(0.5) ? '-' : ''}date&_count=${this.rng.pick([3, 7, 50])}` };
  };

  sort = (): Query => {
    const type = this.rng.pick(Object.keys(SORTS));
    const options = SORTS[type] ?? [];
    const first = this.rng.chance(0.15) ? '_id' : this.rng.pick(options);
    const second = first !== '_id' && this.rng.chance(0.6) ? [this.rng.pick(['_id', ...options.filter((k) => k !== first)])] : [];
    const keys = [first, ...second].map((k) => (this.rng.chance(0.5) ? `-${k}` : k));
    // Small pages make the cursor carry the sort keys across page boundaries.
    return { type, query: `_sort=${keys.join(',')}&_count=${this.rng.pick([7, 50, 1000])}` };
  };

  private simple(targets: Target[]): Query {
    const [type, code] = this.rng.pick(targets);
    return { type, query: this.clause(type, code) };
  }

  /** `name[:modifier]=value` for one parameter of a type, its value drawn from `from`; escaped and encoded. */
  clause(type: string, code: string, from = this.oracle.ofType(type)): string {
    const pool = from.flatMap((r) => this.oracle.values(r, code));
    const p = parameter(type, code);
    switch (p.type) {
      case 'string': {
        const modifier = this.rng.pick(['', '', 'exact', 'contains', 'contains']);
        return `${code}${modifier && `:${modifier}`}=${this.alternatives(() => this.stringValue(pool, modifier))}`;
      }
      case 'token': {
        const hasText = tokensOf(pool).some((t) => t.texts.length);
        const modifier = this.rng.pick(['', '', '', 'not', ...(hasText ? ['text'] : [])]);
        return `${code}${modifier && `:${modifier}`}=${this.alternatives(() => this.tokenValue(pool, modifier))}`;
      }
      case 'date':
        return `${code}=${this.alternatives(() => this.dateValue(pool))}`;
      case 'quantity':
        return `${code}=${this.alternatives(() => this.quantityValue(pool))}`;
      case 'reference': {
        const references = pool.flatMap(({ value }) => (typeof value?.reference === 'string' ? [value.reference as string] : []));
        const modifier = this.rng.chance(0.25) ? (this.rng.pick(references).split('/')[0] as string) : '';
        return `${code}${modifier && `:${modifier}`}=${this.alternatives(() => this.referenceValue(references, modifier))}`;
      }
      case 'composite':
        return `${code}=${this.alternatives(() => this.compositeValue(p.code, pool))}`;
      default:
        throw new Error(`no generator for ${p.type}`);
    }
  }

  /** Usually one value, sometimes two ORed. */
  private alternatives(one: () => string): string {
    return enc(Array.from({ length: this.rng.chance(0.25) ? 2 : 1 }, one).join(','));
  }

  private stringValue(pool: TypedValue[], modifier: string): string {
    const texts = stringsOf(pool);
    if (texts.length === 0 || this.rng.chance(0.12)) return this.rng.pick(['Zz', '赵', 'xyz', 'Q']);
    const text = this.rng.pick(texts);
    if (modifier === 'exact') return escape(this.rng.chance(0.7) ? text : respell(this.rng, text));
    const chars = [...text];
    const start = modifier === 'contains' ? this.rng.int(0, chars.length - 1) : 0;
    return escape(respell(this.rng, chars.slice(start, this.rng.int(start + 1, chars.length)).join('')));
  }

  private tokenValue(pool: TypedValue[], modifier: string): string {
    const tokens = tokensOf(pool);
    if (modifier === 'text') {
      const chars = [...this.rng.pick(tokens.flatMap((t) => t.texts))];
      return escape(respell(this.rng, chars.slice(0, this.rng.int(1, chars.length)).join('')));
    }
    const coded = tokens.filter((t) => t.code !== undefined);
    if (coded.length === 0 || this.rng.chance(0.1)) return 'no-such-code';
    const { system, code = '' } = this.rng.pick(coded);
    switch (this.rng.int(0, 3)) {
      case 0:
        return escape(code);
      case 1:
        return `${escape(system ?? '')}|${escape(code)}`;
      case 2:
        return `|${escape(code)}`;
      default:
        return `${escape(system ?? 'urn:oid:2.16.156.10011.1.99')}|`;
    }
  }

  /** A stored value, or a random one, re-cut to a random precision, which is where date boundaries hide. */
  private dateValue(pool: TypedValue[]): string {
    const stored = pool.flatMap(({ type, value }) => (type === 'Period' ? [value.start, value.end] : [value])).filter((v): v is string => typeof v === 'string');
    const source = stored.length && this.rng.chance(0.85) ? this.rng.pick(stored) : randomDate(this.rng, 1940, 2025, ['second']);
    const full = source.slice(0, 19) + '0000-01-01T00:00:00'.slice(Math.min(source.length, 19));
    const cut = this.rng.pick([4, 7, 10, 10, 19]);
    const zone = cut === 19 ? this.rng.pick(['', ...ZONES]) : '';
    const prefix = this.rng.chance(0.08) ? 'ap' : this.rng.pick(PREFIXES);
    return prefix + full.slice(0, cut) + zone;
  }

  /** A stored amount, sometimes in another unit of its dimension, rounded or padded to a new precision. */
  private quantityValue(pool: TypedValue[]): string {
    const quantities = pool.filter((v) => v.type === 'Quantity').map((v) => v.value as Quantity);
    const q = this.rng.pick(quantities);
    let unit = q.code ?? q.unit ?? '';
    let n = decimalOf(q.value as number);
    const stored = UCUM_UNITS[unit];
    if (stored && this.rng.chance(0.4)) {
      const other = this.rng.pick(Object.keys(UCUM_UNITS).filter((u) => UCUM_UNITS[u]?.base === stored.base));
      n = shift(n, stored.power - (UCUM_UNITS[other]?.power ?? 0));
      unit = other;
    }
    n = this.reprecise(n, this.rng.int(-1, 2));
    const prefix = this.rng.chance(0.08) ? 'ap' : this.rng.pick(PREFIXES);
    const suffix = this.rng.pick(['', `|${UCUM}|${unit}`, `|${UCUM}|${unit}`, `||${unit}`]);
    return prefix + formatDecimal(n) + suffix;
  }

  /** Drops `digits` trailing digits rounding half up, or appends zeros when negative. */
  private reprecise(d: Decimal, digits: number): Decimal {
    if (digits <= 0) return { m: d.m * 10n ** BigInt(-digits), e: d.e + digits };
    const unit = 10n ** BigInt(digits);
    return { m: (d.m + unit / 2n) / unit, e: d.e + digits };
  }

  /** With a type modifier, only the id: that is the form the contract shows for it. */
  private referenceValue(references: string[], modifier: string): string {
    const reference = this.rng.pick(references);
    const id = reference.slice(reference.indexOf('/') + 1);
    if (modifier) return escape(this.rng.chance(0.85) ? id : 'nobody');
    return escape(this.rng.pick([reference, reference, id, `${this.base}/${reference}`, `${reference.split('/')[0]}/nobody`]));
  }

  /** Components from one stored item, so it matches, or from two different items, which mostly should not. */
  private compositeValue(code: string, pool: TypedValue[]): string {
    const p = parameter('Observation', code);
    const items = pool.filter((item) => this.oracle.components(p, item).every(([, values]) => values.length));
    const first = this.rng.pick(items);
    const second = this.rng.chance(0.7) ? first : this.rng.pick(items);
    // Both composites are code$quantity.
    const codes = this.oracle.components(p, first)[0]?.[1] ?? [];
    const quantities = this.oracle.components(p, second)[1]?.[1] ?? [];
    return `${this.tokenValue(codes, '')}$${this.quantityValue(quantities)}`;
  }
}
