/** The primitive rules of docs/search.md, written independently of the engine. */

export const fold = (text: string): string => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** Splits on `sep` where it is not escaped by a backslash; the parts keep their escapes. */
export function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

export const unescape = (text: string): string => text.replace(/\\([\\,|$])/g, '$1');
export const escape = (text: string): string => text.replace(/[\\,|$]/g, '\\$&');

/**
 * An exact decimal `m × 10^e`, kept as written: precision ranges and UCUM conversions stay exact,
 * where floats would blur the very boundaries the properties probe.
 */
export interface Decimal {
  m: bigint;
  e: number;
}

export function parseDecimal(text: string): Decimal {
  const match = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, sign = '', int = '', frac = '', exp = '0'] = match;
  return { m: BigInt(`${sign}${int}${frac}`), e: Number(exp) - frac.length };
}

/** JSON numbers come back as floats; their shortest round-trip form is the decimal that was sent. */
export const decimalOf = (n: number): Decimal => parseDecimal(String(n));

/** Plain notation, except a positive exponent, which is written as such because it carries precision (`1e2` ≠ `100`). */
export function formatDecimal(d: Decimal): string {
  if (d.e > 0) return `${d.m}e${d.e}`;
  const digits = (d.m < 0n ? -d.m : d.m).toString().padStart(1 - d.e, '0');
  const cut = digits.length + d.e;
  return `${d.m < 0n ? '-' : ''}${digits.slice(0, cut)}${d.e < 0 ? `.${digits.slice(cut)}` : ''}`;
}

export const shift = (d: Decimal, places: number): Decimal => ({ m: d.m, e: d.e + places });

function aligned(a: Decimal, b: Decimal): [bigint, bigint] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e)];
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The range a written number stands for: half a unit of its last digit either side (`100` → [99.5, 100.5)). */
export function precisionRange(d: Decimal): [Decimal, Decimal] {
  return [
    { m: d.m * 10n - 5n, e: d.e - 1 },
    { m: d.m * 10n + 5n, e: d.e - 1 },
  ];
}

/** Sign of `10·|x − v| − |v|`: negative within 10 %, zero exactly on the edge. */
export function approxSign(x: Decimal, v: Decimal): number {
  const [a, b] = aligned(x, v);
  const distance = (a > b ? a - b : b - a) * 10n;
  const allowed = b < 0n ? -b : b;
  return distance < allowed ? -1 : distance > allowed ? 1 : 0;
}

export const UCUM = 'http://unitsofmeasure.org';

/** Only the units the corpus writes, as powers of ten of a base unit: what an oracle needs, not a UCUM library. */
export const UCUM_UNITS: Record<string, { base: string; power: number } | undefined> = {
  mg: { base: 'g', power: -3 },
  g: { base: 'g', power: 0 },
  kg: { base: 'g', power: 3 },
  'mmol/L': { base: 'mol/L', power: -3 },
  'umol/L': { base: 'mol/L', power: -6 },
  'mm[Hg]': { base: 'mm[Hg]', power: 0 },
};

const DEFAULT_ZONE = '+08:00';
export type Range = [number, number];

/** `[low, high)` in epoch ms of a FHIR date, dateTime or instant, or a search value written the same way. */
export function dateRange(text: string): Range {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (!match) throw new Error(`not a date the oracle understands: ${text}`);
  const [, y, mo, d, h, mi, s, frac, zone = DEFAULT_ZONE] = match;
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const parts = [Number(y), Number(mo ?? 1) - 1, Number(d ?? 1), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number((frac ?? '').padEnd(3, '0'))];
  // The component the value stops at is the one whose increment ends the range.
  const last = frac !== undefined ? 6 : s !== undefined ? 5 : d !== undefined ? 2 : mo !== undefined ? 1 : 0;
  const end = parts.map((p, i) => (i === last ? p + (i === 6 ? 10 ** (3 - (frac ?? '').length) : 1) : p));
  const utc = (p: number[]) => Date.UTC(p[0] as number, p[1] as number, p[2], p[3], p[4], p[5], p[6]) - offset * 60_000;
  return [utc(parts), utc(end)];
}

const DAY = 86_400_000;

/** The date prefixes of docs/search.md except `ap`, for a stored range against a search range. */
export function dateMatches(prefix: string, [low, high]: Range, [s, e]: Range): boolean {
  switch (prefix) {
    case 'eq':
      return low >= s && high <= e;
    case 'ne':
      return !(low >= s && high <= e);
    case 'gt':
      return high > e;
    case 'lt':
      return low < s;
    case 'ge':
      return high > e || (low >= s && high <= e);
    case 'le':
      return low < s || (low >= s && high <= e);
    case 'sa':
      return low >= e;
    case 'eb':
      return high <= s;
    default:
      throw new Error(`unknown date prefix ${prefix}`);
  }
}

/** `ap`'s widened search range, which depends on when the search runs. */
export function approxRange([s, e]: Range, now: number): Range {
  const margin = Math.max(Math.abs(s - now) / 10, DAY);
  return [s - margin, e + margin];
}
