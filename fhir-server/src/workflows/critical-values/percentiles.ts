/** Summary of durations (seconds): nearest-rank median and 90th percentile, and the maximum. */
export interface Spread {
  count: number;
  median?: number;
  p90?: number;
  max?: number;
}

/** Nearest-rank percentile (the smallest value with at least p % of the values at or below it). */
function rank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { count: 0 };
  return { count: sorted.length, median: rank(sorted, 50), p90: rank(sorted, 90), max: sorted[sorted.length - 1] as number };
}

export type PeriodUnit = 'day' | 'month' | 'year' | 'all';

/** The period an instant falls in, at the site's UTC offset (`+08:00`): `2026-12-06`, `2026-12`, `2026`, or `all`. */
export function periodOf(instant: string, unit: PeriodUnit, utcOffset: string): string {
  if (unit === 'all') return 'all';
  const sign = utcOffset.startsWith('-') ? -1 : 1;
  const [h, m] = utcOffset.slice(1).split(':').map(Number) as [number, number];
  const local = new Date(Date.parse(instant) + sign * (h * 60 + m) * 60_000).toISOString();
  return local.slice(0, unit === 'day' ? 10 : unit === 'month' ? 7 : 4);
}
