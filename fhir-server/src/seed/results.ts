/** Drawing a lab result: a value in the test's unit and its flag against the reference interval. */
import type { Interval, LabTest } from './labs.js';
import type { Random } from './random.js';

export type Flag = 'H' | 'L' | 'N';

export interface LabResult {
  readonly value: number;
  readonly flag: Flag;
  readonly reference: Interval;
}

export function referenceInterval(test: LabTest, gender: 'male' | 'female'): Interval {
  return gender === 'female' && test.femaleReference ? test.femaleReference : test.reference;
}

function limits(test: LabTest, gender: 'male' | 'female'): [number, number] {
  const [low, high] = referenceInterval(test, gender);
  const lo = low ?? test.typical?.[0];
  const hi = high ?? test.typical?.[1];
  if (lo === undefined || hi === undefined) throw new Error(`${test.key} needs a typical range`);
  return [lo, hi];
}

/**
 * Without a skew, a healthy result: centred in the interval (or the typical range of a one-sided
 * one) with a quarter of its width as standard deviation, so about 1 in 20 falls just outside.
 * With skew s > 0 the value is the upper limit times 1 + s·u, with s < 0 the lower limit times
 * 1 − |s|·u, u uniform in [0.1, 1): a disease moves results clearly, by a varying amount.
 */
export function drawResult(rng: Random, test: LabTest, gender: 'male' | 'female', skew?: number): LabResult {
  const [lo, hi] = limits(test, gender);
  let value: number;
  if (skew === undefined || skew === 0) value = (lo + hi) / 2 + ((hi - lo) / 4) * rng.normal();
  else if (skew > 0) value = hi * (1 + skew * rng.real(0.1, 1));
  else value = lo * (1 + skew * rng.real(0.1, 1));
  const scale = 10 ** test.decimals;
  const smallest = 1 / scale;
  value = Math.round(Math.max(value, smallest) * scale) / scale;
  if (test.ucum === '%') value = Math.min(value, 100);
  const reference = referenceInterval(test, gender);
  const [low, high] = reference;
  const flag: Flag = high !== undefined && value > high ? 'H' : low !== undefined && value < low ? 'L' : 'N';
  return { value, flag, reference };
}
