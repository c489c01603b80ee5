import { jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PAGE_SIZE } from '../../src/bulk/select.js';
import { call } from '../support/http.js';
import { BACKENDS, startTestServer, type TestServer } from '../support/test-server.js';
import { download, poll, start } from './client.js';

jest.setTimeout(180_000);

const OBSERVATIONS = 3000;

/**
 * A few thousand resources: the export reads them in keyset pages of at most PAGE_SIZE rows (so
 * memory holds one page, whatever the export's size), and a restart in the middle of an export
 * is reported honestly to the client polling it.
 */
describe.each(BACKENDS)('bulk export at scale and across a restart (%s)', (backend) => {
  let dataDir: string;
  let server: TestServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'qiao-export-'));
    server = await startTestServer(backend, { dataDir });
    const patient = await call(server.base, 'PUT', 'Patient/bulk-p1', { resourceType: 'Patient', id: 'bulk-p1', gender: 'female' });
    expect(patient.status).toBe(201);
    for (let batch = 0; batch < OBSERVATIONS / 1000; batch++) {
      const entry = Array.from({ length: 1000 }, (_, k) => ({
        request: { method: 'POST', url: 'Observation' },
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' }], text: '体温' },
          subject: { reference: 'Patient/bulk-p1' },
          valueQuantity: { value: 36 + ((batch * 1000 + k) % 20) / 10, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' },
        },
      }));
      const reply = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
      expect(reply.status).toBe(200);
    }
  });

  afterAll(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test(`${OBSERVATIONS} Observations are exported in pages of at most ${PAGE_SIZE} rows`, async () => {
    const pages: number[] = [];
    const db = server.ctx.db;
    const query = db.query.bind(db);
    db.query = (async (sql: string, params?: readonly unknown[]) => {
      const rows = await query(sql, params);
      if (sql.startsWith('SELECT r.id, r.content FROM resource r')) pages.push(rows.length);
      return rows;
    }) as typeof db.query;
    try {
      const manifest = await poll(await start(server.base, 'Patient/$export', [['_type', 'Observation']]));
      expect(manifest.output).toEqual([expect.objectContaining({ type: 'Observation', count: OBSERVATIONS })]);
      const lines = await download(manifest.output[0]!.url);
      expect(new Set(lines.map((o) => o.id)).size).toBe(OBSERVATIONS);
    } finally {
      db.query = query;
    }
    expect(Math.max(...pages)).toBeLessThanOrEqual(PAGE_SIZE);
    expect(pages.filter((n) => n > 0).length).toBeGreaterThanOrEqual(Math.ceil(OBSERVATIONS / PAGE_SIZE));
  });

  test('a server stopped during an export reports the job as interrupted after its restart', async () => {
    const status = await start(server.base, '$export');
    const job = status.split('/').pop() as string;
    await server.close();
    server = await startTestServer(backend, { dataDir, ...(server.databaseUrl ? { databaseUrl: server.databaseUrl } : {}) });
    const res = await fetch(`${server.url}/bulk/export/${job}`);
    expect(res.status).toBe(500);
    const outcome = (await res.json()) as { issue: { code: string; details: { text: string } }[] };
    expect(outcome.issue[0]?.code).toBe('transient');
    expect(outcome.issue[0]?.details.text).toMatch(/中断.* \| Export job .* was interrupted/);
    expect(existsSync(path.join(dataDir, 'exports', job))).toBe(false);
    // The restarted server exports as before.
    const manifest = await poll(await start(server.base, '$export', [['_type', 'Patient']]));
    expect(manifest.output).toEqual([expect.objectContaining({ type: 'Patient', count: 1 })]);
  });
});
