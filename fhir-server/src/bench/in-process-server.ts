import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { startServer } from '../server.js';
import { startThrowawayPostgres } from '../testing/throwaway-postgres.js';
import { POSTGRES_SETTINGS } from './postgres-settings.js';

/**
 * Runs `work` against a Qiao in this process on a throwaway PostgreSQL with the benchmark settings
 * (auth off, no demo data, no DIMSE, quiet log), then stops both and removes the data directory.
 */
export async function withBenchServer<T>(name: string, work: (server: { url: string; base: string }) => Promise<T>): Promise<T> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), `qiao-bench-${name}-`));
  const pg = await startThrowawayPostgres({ settings: POSTGRES_SETTINGS });
  try {
    const config: Config = { ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: tmp, databaseUrl: await pg.createDatabase(`${name}_bench`), logLevel: 'error', demoData: false, dimsePort: null, installProfiles: false, auth: 'off' };
    const server = await startServer(config);
    try {
      return await work({ url: server.url, base: `${server.url}/fhir` });
    } finally {
      await server.close();
    }
  } finally {
    await pg.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}
