import { resetStatementStatistics, statementProfile, statementsMarkdown, withStatementStatistics } from '../../src/bench/search/statements.js';
import { sqlOnce } from '../../src/bench/sql.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../src/testing/throwaway-postgres.js';

/**
 * `npm run bench:search -- --statements` reports what PostgreSQL executed during the mix
 * (src/bench/search/statements.ts): counted from the reset on, per request, the costliest shapes
 * first, the benchmark's own statistics statements left out.
 */
describe("the search benchmark's statement statistics", () => {
  let pg: ThrowawayPostgres;

  beforeAll(async () => {
    pg = await startThrowawayPostgres({ fast: true, settings: withStatementStatistics({ shared_preload_libraries: 'auto_explain' }) });
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it('keeps the preloaded libraries it is added to', () => {
    expect(withStatementStatistics({ shared_preload_libraries: 'auto_explain', work_mem: '16MB' })).toMatchObject({
      shared_preload_libraries: 'auto_explain,pg_stat_statements',
      work_mem: '16MB',
    });
    expect(withStatementStatistics({}).shared_preload_libraries).toBe('pg_stat_statements');
  });

  it('counts the statements since the reset, per request, the costliest shape first', async () => {
    await sqlOnce(pg.url, 'SELECT 1 AS before_the_reset');
    await resetStatementStatistics(pg.url);
    for (let i = 0; i < 3; i++) await sqlOnce(pg.url, 'SELECT sum(g) AS heavy FROM generate_series(1, 300000) g');
    for (let i = 0; i < 7; i++) await sqlOnce(pg.url, 'SELECT 2 AS light');

    const profile = await statementProfile(pg.url, 5);
    expect(profile.statements).toBe(10);
    expect(profile.shapes.map((s) => s.calls)).toEqual([3, 7]);
    expect(profile.shapes[0]?.text).toContain('generate_series');
    expect(profile.shapes[0]?.share).toBeGreaterThan(0.5);
    expect(profile.shapes[0]?.rows).toBe(3);
    const text = statementsMarkdown(profile).join('\n');
    expect(text).toContain('10 statements for 5 requests: 2.00 per request');
    expect(text).toMatch(/\| 0\.600 \| [\d.]+ \| 1\.0 \| [\d.]+ \| `SELECT sum\(g\) AS heavy/);
  });
});
