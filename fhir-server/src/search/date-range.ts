/**
 * FHIR date search values are ranges set by their precision: `2024` is the whole year,
 * `2024-03-01T10:00` one minute. Times without a zone are taken as China Standard Time (+08:00),
 * the zone every Qiao deployment serves.
 */
export interface DateRange {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms. */
  end: number;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const DEFAULT_ZONE = '+08:00';

export function parseDateRange(text: string): DateRange | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  if (month < 1 || month > 12) return undefined;
  if (mo === undefined) return localDays(year, 0, 1, year + 1, 0, 1);
  if (d === undefined) return localDays(year, month - 1, 1, year, month, 1);
  if (h === undefined) return localDays(year, month - 1, Number(d), year, month - 1, Number(d) + 1);
  const tz = zone ?? DEFAULT_ZONE;
  if (s === undefined) return span(`${y}-${mo}-${d}T${h}:${mi}:00${tz}`, 60_000);
  if (frac === undefined) return span(`${y}-${mo}-${d}T${h}:${mi}:${s}${tz}`, 1000);
  const digits = frac.length - 1;
  const startMs = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${tz}`);
  if (Number.isNaN(startMs)) return undefined;
  return { start: startMs, end: startMs + (digits >= 3 ? 1 : 10 ** (3 - digits)) };
}

function span(startText: string, lengthMs: number): DateRange | undefined {
  const start = Date.parse(startText);
  return Number.isNaN(start) ? undefined : { start, end: start + lengthMs };
}

const ZONE_OFFSET_MS = 8 * 3600_000;

/** From local midnight of one calendar day to local midnight of another (Date.UTC normalises overflow). */
function localDays(y1: number, m1: number, d1: number, y2: number, m2: number, d2: number): DateRange | undefined {
  const start = Date.UTC(y1, m1, d1) - ZONE_OFFSET_MS;
  if (new Date(start + ZONE_OFFSET_MS).getUTCDate() !== d1) return undefined; // e.g. 2024-02-30
  return { start, end: Date.UTC(y2, m2, d2) - ZONE_OFFSET_MS };
}

export const DATE_PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type DatePrefix = (typeof DATE_PREFIXES)[number];

export function splitPrefix(value: string): [DatePrefix, string] {
  const prefix = value.slice(0, 2);
  return (DATE_PREFIXES as readonly string[]).includes(prefix) && /^\d/.test(value.slice(2))
    ? [prefix as DatePrefix, value.slice(2)]
    : ['eq', value];
}
