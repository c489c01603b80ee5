import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/repository/postgres-db.js';
import { migrate } from '../../src/schema/migrate.js';
import { migrations } from '../../src/schema/migrations.js';
import { createTestDatabase, startTestServer } from '../support/test-server.js';

describe('configuration, health, migrations and shutdown', () => {
  it('reads its configuration from the environment, with the documented defaults', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({ port: 8080, host: '::', databaseUrl: undefined, baseUrl: undefined, auth: 'on' });
    expect(defaults.maxBodyBytes).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    const set = loadConfig({ PORT: '9000', HOST: '0.0.0.0', QIAO_BASE_URL: 'https://hub.example.cn/', DATABASE_URL: 'postgres://x/y', QIAO_AUTH: 'off' });
    expect(set).toMatchObject({ port: 9000, host: '0.0.0.0', baseUrl: 'https://hub.example.cn', databaseUrl: 'postgres://x/y' });
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ QIAO_AUTH: 'maybe' })).toThrow(/QIAO_AUTH/);
  });

  it('applies migrations once when two instances start together', async () => {
    const url = await createTestDatabase();
    const a = openPostgres({ url });
    const b = openPostgres({ url });
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      expect([...ra, ...rb].sort((x, y) => x - y)).toEqual(migrations.map((m) => m.version));
      const rows = await a.query<{ version: number }>('SELECT version FROM qiao_migration ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
      expect(await migrate(a)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('serves IPv4 and IPv6 on the default host ::', async () => {
    const server = await startTestServer('pglite', { host: '::' });
    try {
      const port = new URL(server.url).port;
      for (const host of ['127.0.0.1', '[::1]']) {
        const r = await fetch(`http://${host}:${port}/fhir/metadata`);
        expect(r.status).toBe(200);
        expect(((await r.json()) as { implementation: { url: string } }).implementation.url).toBe(`http://${host}:${port}/fhir`);
      }
    } finally {
      await server.close();
    }
  });

  it('serves /healthz, uses QIAO_BASE_URL for links, and drains in-flight requests on shutdown', async () => {
    const server = await startTestServer('postgres', { baseUrl: 'https://hub.example.cn' });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'postgres' });
    const created = await fetch(`${server.base}/Patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(created.headers.get('location')).toMatch(/^https:\/\/hub\.example\.cn\/fhir\/Patient\//);
    // A slow request (a large transaction) is in flight when shutdown starts; it must still complete.
    const entries = Array.from({ length: 400 }, () => ({ resource: { resourceType: 'Basic', code: { text: 'x' } }, request: { method: 'POST', url: 'Basic' } }));
    const inFlight = fetch(`${server.base}`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: entries }),
    });
    await new Promise((r) => setTimeout(r, 30));
    const closing = server.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    await closing;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
