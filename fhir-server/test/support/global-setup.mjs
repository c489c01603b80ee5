// Plain JS: jest loads global setup outside its TypeScript transform, so this uses the built server
// (`npm test` at the root builds first).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startThrowawayPostgres } from '../../dist/testing/throwaway-postgres.js';

/** One throwaway PostgreSQL for the whole run; each test file creates its own database in it. */
export default async function globalSetup(globalConfig) {
  // The viewer's browser tests run in parallel workers: one build here, before any of them, so no
  // two vite builds write viewer/dist at once and no page loads a half-written one. A run that
  // selects other tests only does not build it.
  const patterns = globalConfig?.testPathPatterns?.patterns ?? [];
  if (patterns.length === 0 || patterns.some((p) => /viewer/i.test(String(p)))) execFileSync(process.execPath, [fileURLToPath(new URL('../../../viewer/scripts/build-if-stale.mjs', import.meta.url))], { stdio: 'inherit' });
  const pg = await startThrowawayPostgres({ fast: true });
  globalThis.__qiaoPostgres = pg;
  process.env.QIAO_TEST_PG_URL = pg.url;
}
