/**
 * DA and TM values (PS3.5 §6.2) checked against the calendar and the clock: a well-formed but
 * impossible value (`20250230`, `2500`) is as unusable as a malformed one, whether it is to be
 * matched on or turned into a FHIR dateTime.
 */

/** `YYYYMMDD` naming a day the Gregorian calendar has. */
export function isDicomDate(value: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Day 0 of the next month is the last day of this one.
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export interface DicomTime {
  hour: string;
  minute?: string;
  second?: string;
  fraction?: string;
}

/**
 * A TM value, `HH[MM[SS[.F{1,6}]]]`, or the ACR-NEMA `HH:MM[:SS[.F]]` that PS3.5 §6.2 (TM, note)
 * asks readers to accept from older equipment. Undefined when it is neither or names no time of day
 * (hours 00–23, minutes 00–59, seconds 00–60 for a leap second).
 */
export function parseDicomTime(value: string): DicomTime | undefined {
  const m = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(value) ?? /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(value);
  if (!m) return undefined;
  const [, hour, minute, second, fraction] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined];
  if (Number(hour) > 23 || Number(minute ?? 0) > 59 || Number(second ?? 0) > 60) return undefined;
  return { hour, ...(minute ? { minute } : {}), ...(second ? { second } : {}), ...(fraction ? { fraction } : {}) };
}

/** A TM value in its current form (`HHMMSS.FFFFFF`, as far as given): what the index stores and compares. */
export function normalizedTime(value: string): string | undefined {
  const t = parseDicomTime(value);
  return t && `${t.hour}${t.minute ?? ''}${t.second ?? ''}${t.fraction ? `.${t.fraction}` : ''}`;
}
