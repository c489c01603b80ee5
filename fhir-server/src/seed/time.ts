/**
 * Dates for the generator, as whole days and as China wall-clock milliseconds. China has one time
 * zone and no daylight saving, so wall-clock time held in a UTC Date and printed with +08:00 is
 * exact, and no code depends on the machine's zone.
 */
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** Days since 1970-01-01 of a YYYY-MM-DD date; throws unless it is a real calendar day. */
export function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`expected a date as YYYY-MM-DD, got "${date}"`);
  }
  return ms / DAY_MS;
}

/** YYYY-MM-DD of a day number. */
export function formatDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** FHIR dateTime/instant with the China offset, from wall-clock milliseconds. */
export function formatDateTime(wallClockMs: number): string {
  return `${new Date(wallClockMs).toISOString().slice(0, 19)}+08:00`;
}

/** Wall-clock milliseconds of a day at hour:minute. */
export function at(day: number, hour: number, minute: number): number {
  return day * DAY_MS + hour * 3_600_000 + minute * MINUTE_MS;
}

/** The day number a wall-clock time falls on. */
export function dayOf(wallClockMs: number): number {
  return Math.floor(wallClockMs / DAY_MS);
}
