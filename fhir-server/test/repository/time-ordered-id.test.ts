/** Time-ordered ids: valid UUIDs of version 7 whose text order is the order of their times. */
import { timeOrderedId } from '../../src/repository/time-ordered-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a UUID of version 7 and variant 10 carrying the time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 7, 5, 30, 0, 123);
    const id = timeOrderedId(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts as text in the order of its times, and differs within one millisecond', () => {
    const times = [0, 1, 255, 256, 65_535, 1_700_000_000_000, 1_800_000_000_000, 2 ** 48 - 1];
    const ids = times.map((t) => timeOrderedId(t));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => timeOrderedId(1_800_000_000_000)));
    expect(same.size).toBe(1000);
  });
});
