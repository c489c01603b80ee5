import { Random, WeightedTable } from '../../src/seed/random.js';

describe('seeded random numbers', () => {
  it('repeats a stream for the same seed parts and differs otherwise', () => {
    const draw = (...parts: (string | number)[]) => {
      const rng = new Random(...parts);
      return Array.from({ length: 8 }, () => rng.uint32());
    };
    expect(draw('a', 1)).toEqual(draw('a', 1));
    expect(draw('a', 1)).not.toEqual(draw('a', 2));
    expect(draw('a', 1)).not.toEqual(draw('b', 1));
    // A known answer pins the algorithm: changing it would silently change every dataset.
    const pinned = new Random('qiao');
    expect(pinned.uuid()).toBe('365a54c6-f214-4a23-97a2-571c7b6b4563');
    expect(pinned.uint32()).toBe(3215639752);
  });

  it('keeps draws in range and roughly uniform', () => {
    const rng = new Random('range');
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 60_000; i++) {
      const v = rng.int(0, 5);
      counts[v] = (counts[v] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 10_000; i++) {
      const z = rng.normal();
      expect(Math.abs(z)).toBeLessThanOrEqual(3.47);
    }
  });

  it('makes version 4 UUIDs', () => {
    const rng = new Random('uuid');
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = rng.uuid();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
  });

  it('picks weighted rows in proportion to their weights', () => {
    const weights: Record<string, number> = { a: 1, b: 3, c: 0 };
    const table = new WeightedTable(['a', 'b', 'c'], (row) => weights[row] ?? 0);
    const rng = new Random('weights');
    let b = 0;
    for (let i = 0; i < 20_000; i++) {
      const row = table.pick(rng);
      expect(row).not.toBe('c');
      if (row === 'b') b++;
    }
    expect(b / 20_000).toBeCloseTo(0.75, 1);
    expect(() => new WeightedTable(['x'], () => 0)).toThrow(RangeError);
  });
});
