/** What one dataset remembers across patients so that its identifiers never repeat. */
import { type Seed, seedWords } from './random.js';

export class DatasetState {
  /**
   * Four digits derived from the seed, put into sequential numbers (visit numbers, card numbers)
   * so that datasets from different seeds loaded into one server rarely share a number.
   */
  readonly tag: string;
  /** Resident ID numbers handed out so far: the 3-digit sequence leaves room for collisions. */
  readonly residentIds = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(seed: Seed) {
    this.tag = String(seedWords(seed, 'tag')[0] % 10_000).padStart(4, '0');
  }

  /** 1, 2, 3 … for each counter name. */
  next(counter: string): number {
    const value = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, value);
    return value;
  }
}
