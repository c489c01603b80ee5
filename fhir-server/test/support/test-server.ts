import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createDatabase } from '../../src/testing/throwaway-postgres.js';

export type Backend = 'postgres' | 'pglite';
export const BACKENDS: Backend[] = ['postgres', 'pglite'];

export interface TestServer extends RunningServer {
  /** FHIR base, e.g. `http://127.0.0.1:40123/fhir` */
  base: string;
  databaseUrl: string | undefined;
}

/** A fresh database (its own PostgreSQL database, or its own PGlite directory) behind a server on a random port. */
export async function startTestServer(backend: Backend, overrides: Partial<Config> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'qiao-test-'));
  const databaseUrl = backend === 'postgres' ? await createTestDatabase() : undefined;
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl,
    logLevel: (process.env.QIAO_TEST_LOG as Config['logLevel'] | undefined) ?? 'silent',
    demoData: false,
    // Test servers run side by side: no DIMSE listener unless a test asks for one.
    dimsePort: null,
    // Storing the profile package costs seconds per fresh database: only the tests of publishing ask for it.
    installProfiles: false,
    // Authorisation is on by default in production; tests of auth ask for it with `auth: 'on'`.
    auth: 'off',
    ...overrides,
  };
  const running = await startServer(config);
  return {
    ...running,
    base: `${running.url}/fhir`,
    databaseUrl,
    async close() {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createTestDatabase(): Promise<string> {
  const adminUrl = process.env.QIAO_TEST_PG_URL;
  if (!adminUrl) throw new Error('QIAO_TEST_PG_URL is not set: run the tests through jest (its global setup starts PostgreSQL)');
  return createDatabase(adminUrl, `t_${randomBytes(6).toString('hex')}`);
}

/**
 * A server for the enclosing `describe`: started before its tests, closed after them. The
 * returned object is filled in once started, so tests use it as a TestServer.
 */
export function useTestServer(backend: Backend, overrides: Partial<Config> = {}): TestServer {
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(server, await startTestServer(backend, overrides));
  });
  afterAll(async () => {
    await server.close();
  });
  return server;
}
