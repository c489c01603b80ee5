/**
 * Seeded pseudo-random numbers for the synthetic data generator. Everything here is integer
 * arithmetic on 32-bit words (no Math.random(), no clock, no transcendental functions), so a seed
 * gives the same sequence on every machine and Node version.
 */
export type Seed = string | number;

/** Avalanche step (the MurmurHash3 finaliser constants) so that similar inputs give unrelated words. */
function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Four independent 32-bit words from the parts: FNV-1a over each UTF-16 unit, one lane per word. */
export function seedWords(...parts: readonly Seed[]): [number, number, number, number] {
  const text = parts.map(String).join('\u0000');
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  let c = 0x85ebca6b;
  let d = 0xc2b2ae35;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ (unit + 1), 0x01000193);
    c = Math.imul(c ^ (unit + 2), 0x01000193);
    d = Math.imul(d ^ (unit + 3), 0x01000193);
  }
  return [avalanche(a), avalanche(b ^ a), avalanche(c ^ b), avalanche(d ^ c)];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(word: number): string {
  return HEX[(word >>> 24) & 0xff]! + HEX[(word >>> 16) & 0xff]! + HEX[(word >>> 8) & 0xff]! + HEX[word & 0xff]!;
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator): 128-bit state, passes PractRand. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The same parts always give the same stream; `new Random(seed, 'patient', 7)` is patient 7's stream. */
  constructor(...parts: readonly Seed[]) {
    [this.a, this.b, this.c, this.d] = seedWords(...parts);
    // The first outputs after seeding are still correlated with the seed words.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform in [min, max). */
  real(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /**
   * Approximately standard normal: the sum of four uniforms (Irwin–Hall), rescaled. Bounded to
   * ±3.46, which suits lab values, and exactly reproducible, unlike Box–Muller's log and cos.
   */
  normal(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * 1.7320508075688772;
  }

  /** `length` decimal digits, leading zeros allowed. */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += String.fromCharCode(48 + Math.floor(this.next() * 10));
    return out;
  }

  /** A random (version 4, RFC 9562 variant) UUID drawn from this stream. */
  uuid(): string {
    const w0 = hex32(this.uint32());
    const w1 = hex32(((this.uint32() & 0xffff0fff) | 0x00004000) >>> 0);
    const w2 = hex32(((this.uint32() & 0x3fffffff) | 0x80000000) >>> 0);
    const w3 = hex32(this.uint32());
    return `${w0}-${w1.slice(0, 4)}-${w1.slice(4)}-${w2.slice(0, 4)}-${w2.slice(4)}${w3}`;
  }
}

/** Picks rows in proportion to their weight; the cumulative sums are built once per table. */
export class WeightedTable<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly rows: readonly T[],
    weight: (row: T) => number,
  ) {
    let sum = 0;
    for (const row of rows) {
      const w = weight(row);
      if (!(w >= 0)) throw new RangeError(`weight must be a non-negative number, got ${w}`);
      sum += w;
      this.cumulative.push(sum);
    }
    if (sum <= 0) throw new RangeError('a weighted table needs a positive total weight');
    this.total = sum;
  }

  pick(rng: Random): T {
    const target = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.rows[lo] as T;
  }
}
