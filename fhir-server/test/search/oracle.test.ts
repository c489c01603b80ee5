import { generateCorpus } from '../support/oracle/corpus.js';
import type { Oracle } from '../support/oracle/evaluate.js';
import { QueryMaker, type Query } from '../support/oracle/queries.js';
import { Random } from '../support/oracle/random.js';
import { loadCorpus, runGroup } from '../support/oracle/run.js';
import { dateRange, fold, formatDecimal, parseDecimal, precisionRange, shift } from '../support/oracle/values.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

/**
 * Property: for random queries over a random corpus, the server finds exactly what docs/search.md says,
 * as computed in memory by an oracle that shares no code with the engine. ORACLE_SEED=n replays
 * another corpus and other queries.
 */
const SEED = Number(process.env.ORACLE_SEED ?? 1);

const GROUPS: { name: string; count: number; make: (m: QueryMaker) => Query; ordered?: boolean }[] = [
  { name: 'string', count: 40, make: (m) => m.string() },
  { name: 'token', count: 45, make: (m) => m.token() },
  { name: 'date', count: 45, make: (m) => m.date() },
  { name: 'quantity', count: 40, make: (m) => m.quantity() },
  { name: 'reference', count: 25, make: (m) => m.reference() },
  { name: 'chained and reverse-chained', count: 30, make: (m) => m.chain() },
  { name: 'composite', count: 20, make: (m) => m.composite() },
  { name: ':missing', count: 20, make: (m) => m.missing() },
  { name: 'AND of several parameters and _id', count: 30, make: (m) => m.combined() },
  { name: 'a code with its date or value (indexed pairs)', count: 40, make: (m) => m.pair() },
  { name: '_sort order across pages', count: 20, make: (m) => m.sort(), ordered: true },
  { name: 'a code sorted by its date across pages (walk of the pair)', count: 30, make: (m) => m.pairSort(), ordered: true },
];

describe.each(BACKENDS)('search agrees with the oracle on %s', (backend) => {
  const server = useTestServer(backend);
  let oracle: Oracle;

  beforeAll(async () => {
    // Three sub-corpora: a fixed seed and its neighbours, about 240 resources in all.
    oracle = await loadCorpus(server.base, [SEED, SEED + 1, SEED + 2].flatMap(generateCorpus));
  });

  test.each(GROUPS.map((g, i) => ({ ...g, i })))('$name ($count queries)', async ({ count, make, ordered, i }) => {
    const maker = new QueryMaker(new Random(SEED * 1000 + i), oracle, server.base);
    await runGroup(server.base, oracle, Array.from({ length: count }, () => make(maker)), ordered);
  });
});

describe('the oracle itself', () => {
  it('follows the examples of docs/search.md', () => {
    expect(fold('ZHANG')).toBe(fold('Zhāng'));
    expect(fold('ＡＢ')).toBe('ab');
    expect(fold('张三')).toBe('张三');
    const range = (text: string) => precisionRange(parseDecimal(text)).map(formatDecimal);
    expect(range('100')).toEqual(['99.5', '100.5']);
    expect(range('1e2')).toEqual(['5e1', '15e1']);
    expect(range('100.00')).toEqual(['99.995', '100.005']);
    expect(formatDecimal(shift(parseDecimal('5.4'), -3))).toBe('0.0054');
    expect(dateRange('2024').map((t) => new Date(t).toISOString())).toEqual(['2023-12-31T16:00:00.000Z', '2024-12-31T16:00:00.000Z']);
    expect(dateRange('2024-02-29T23:59:59Z').map((t) => new Date(t).toISOString())).toEqual(['2024-02-29T23:59:59.000Z', '2024-03-01T00:00:00.000Z']);
    expect(dateRange('2024-12').map((t) => new Date(t).toISOString())).toEqual(['2024-11-30T16:00:00.000Z', '2024-12-31T16:00:00.000Z']);
    expect(dateRange('2024-01-01T00:00:00.5-05:00').map((t) => new Date(t).toISOString())).toEqual(['2024-01-01T05:00:00.500Z', '2024-01-01T05:00:00.600Z']);
  });
});
