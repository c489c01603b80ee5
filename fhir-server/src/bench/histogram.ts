/**
 * Latency histogram with log-linear buckets (the HdrHistogram layout): exact below 64 µs, then 32
 * buckets per power of two, so any percentile is within about 3 % of the true value while recording
 * costs one array increment — the load generator must not spend the CPU the server needs.
 */
const LINEAR = 64;
const PER_OCTAVE = 32;

export class Histogram {
  private counts: number[] = [];
  count = 0;

  recordMicros(micros: number): void {
    const index = bucketOf(Math.max(0, Math.round(micros)));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.count++;
  }

  /** The `q` quantile (0 < q ≤ 1) in milliseconds; 0 when nothing was recorded. */
  quantileMs(q: number): number {
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank && seen > 0) return midpointOf(i) / 1000;
    }
    return 0;
  }
}

function bucketOf(micros: number): number {
  if (micros < LINEAR) return micros;
  const shift = 32 - Math.clz32(micros) - 6;
  return LINEAR + (shift - 1) * PER_OCTAVE + ((micros >>> shift) - PER_OCTAVE);
}

function midpointOf(index: number): number {
  if (index < LINEAR) return index;
  const shift = Math.floor((index - LINEAR) / PER_OCTAVE) + 1;
  const sub = ((index - LINEAR) % PER_OCTAVE) + PER_OCTAVE;
  return (sub << shift) + (1 << (shift - 1));
}
