import { createRequire } from 'node:module';
import { arrayLiteral } from '../../src/search/index/index-sql.js';

// The driver's own conversion of a JS array parameter (what the index writer sent before it built the literals itself).
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): unknown };

/** The index writer's column arrays must reach PostgreSQL exactly as the driver would have written them. */
describe('index column arrays as PostgreSQL array literals', () => {
  const cases: (string | number | null)[][] = [
    [],
    ['plain', 'with space', ''],
    ['quote " inside', 'back\\slash', '\\"both\\"', '"', '\\'],
    ['{braces}', 'a,b', 'NULL', 'null', '王小明', 'ＺＨĀＮＧ', 'tab\there', 'line\nbreak'],
    [null, 'x', null],
    [0, 1, -2.5, 1e21, 3.14159],
    ['mixed', 7, null, 'end\\'],
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c]))('%s', (_label, values) => {
    expect(arrayLiteral(values)).toBe(prepareValue(values));
  });
});
