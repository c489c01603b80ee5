// Plain JS: jest loads global setup outside its TypeScript transform, so this uses the built server
// (`npm test` at the root builds first).
import { startThrowawayPostgres } from '../../dist/testing/throwaway-postgres.js';

/** One throwaway PostgreSQL for the whole run; each test file creates its own database in it. */
export default async function globalSetup() {
  const pg = await startThrowawayPostgres({ fast: true });
  globalThis.__qiaoPostgres = pg;
  process.env.QIAO_TEST_PG_URL = pg.url;
}
