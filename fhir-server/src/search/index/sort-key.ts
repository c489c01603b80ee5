/**
 * Sort keys are text compared byte-wise (COLLATE "C"), so every type is encoded to sort as its
 * values do: dates as fixed-width UTC ISO text, numbers as their IEEE-754 bits with the sign
 * handled so that the hex digits order like the numbers.
 */
export const OPEN_LOW = '';
export const OPEN_HIGH = '~';

export function dateKey(epochMs: number): string {
  if (epochMs === -Infinity) return OPEN_LOW;
  if (epochMs === Infinity) return OPEN_HIGH;
  return new Date(epochMs).toISOString();
}

export function numberKey(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value === 0 ? 0 : value); // -0 and 0 are one value
  let hi = view.getUint32(0);
  let lo = view.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
