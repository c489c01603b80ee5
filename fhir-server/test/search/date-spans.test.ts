import { auditLog } from '../../src/audit/index.js';
import { migrations } from '../../src/schema/migrations.js';
import { call, type Reply } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

/**
 * The longest date range per parameter (src/search/date-spans.ts) bounds a window's scan of
 * `low`: it grows with what is written, not with what is rolled back, migration 24 computes the
 * same from the rows stored before it, and searches read it (set too small, a match is lost — so
 * the bound is in effect and the right size matters).
 */

const LOINC = 'http://loinc.org';
const obs = (id: string, code: string, effective: Record<string, unknown>) => ({ resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: LOINC, code }] }, ...effective });

const RESOURCES = [
  obs('ds1', '2345-7', { effectiveDateTime: '2024-03-01T08:00:00Z' }),
  obs('ds2', '2345-7', { effectiveDateTime: '2024-03-09T08:00:00Z' }),
  // Starts a month before the window, ends inside it.
  obs('ds3', '2345-7', { effectivePeriod: { start: '2024-02-01T00:00:00Z', end: '2024-03-05T00:00:00Z' } }),
  obs('ds4', '718-7', { effectiveDateTime: '2024-03-06' }),
  { resourceType: 'Patient', id: 'dsp1', birthDate: '1980-05-06' },
  { resourceType: 'Patient', id: 'dsp2', birthDate: '1980-05' },
];

const ids = (r: Reply): string[] => ((r.body?.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id).sort();

describe.each(BACKENDS)('the longest date range per parameter on %s', (backend) => {
  const server = useTestServer(backend);
  /**
   * Empties the table and fills it as migration 24 does. The audit records of earlier requests
   * are written first: their writes raise the table too, and one landing between the two
   * statements made the migration's insert a duplicate.
   */
  const replayMigration24 = async () => {
    await auditLog(server.ctx).flush();
    await server.ctx.db.exec(`DELETE FROM search_date_span`);
    await server.ctx.db.exec((migrations.find((m) => m.version === 24)?.sql ?? 'fail').replace(/CREATE TABLE[^;]*;/, ''));
  };
  const search = async (query: string) => {
    const reply = await call(server.base, 'GET', query);
    expect(reply.status).toBe(200);
    return ids(reply);
  };
  // The server's own audit records have dates too, and are written as the test runs.
  const spans = async () =>
    Object.fromEntries(
      (await server.ctx.db.query<{ k: string; span_ms: number }>(`SELECT resource_type || ' ' || param AS k, span_ms FROM search_date_span WHERE resource_type IN ('Observation', 'Patient') ORDER BY 1`)).map((r) => [r.k, Number(r.span_ms)]),
    );
  const WINDOW = [
    '/Observation?code=2345-7&date=ge2024-03-04&date=lt2024-03-10',
    '/Observation?date=ge2024-03-04&date=lt2024-03-10',
    '/Observation?code=2345-7&date=gt2024-03-04T12:00:00Z',
    '/Patient?birthdate=ge1980-05-06&birthdate=lt1980-05-07',
  ];

  beforeAll(async () => {
    for (const resource of RESOURCES) expect((await call(server.base, 'PUT', `/${resource.resourceType}/${resource.id}`, resource)).status).toBe(201);
  });

  it('keeps the longest range written per type and parameter, and finds a long range by its end', async () => {
    const stored = await spans();
    // A range runs to the end of its last second.
    expect(stored['Observation date']).toBe(Date.parse('2024-03-05T00:00:01Z') - Date.parse('2024-02-01T00:00:00Z'));
    expect(stored['Observation code+date']).toBe(stored['Observation date']);
    // A birth date given to the month: all of May.
    expect(stored['Patient birthdate']).toBe(31 * 86_400_000);
    expect(await search(WINDOW[0] as string)).toEqual(['ds2', 'ds3']);
    expect(await search(WINDOW[1] as string)).toEqual(['ds2', 'ds3', 'ds4']);
    expect(await search(WINDOW[2] as string)).toEqual(['ds2', 'ds3']);
    expect(await search(WINDOW[3] as string)).toEqual(['dsp1', 'dsp2']);
  });

  it('reads the bound: with the longest made too short, the long range is no longer found', async () => {
    await server.ctx.db.exec(`UPDATE search_date_span SET span_ms = 1000 WHERE resource_type = 'Observation'`);
    try {
      expect(await search(WINDOW[0] as string)).toEqual(['ds2']);
      expect(await search(WINDOW[1] as string)).toEqual(['ds2', 'ds4']);
    } finally {
      await replayMigration24();
    }
    expect(await search(WINDOW[0] as string)).toEqual(['ds2', 'ds3']);
  });

  it('migration 24 computes from the stored rows what the writer keeps', async () => {
    await auditLog(server.ctx).flush();
    const written = await spans();
    await replayMigration24();
    expect(await spans()).toEqual(written);
  });

  it('grows with a longer range, not with a write that is rolled back, and never shrinks', async () => {
    const before = await spans();
    // A transaction whose second entry fails: its first entry's ten-year range is not kept.
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: obs('ds5', '2345-7', { effectivePeriod: { start: '2014-01-01T00:00:00Z', end: '2024-01-01T00:00:00Z' } }), request: { method: 'PUT', url: 'Observation/ds5' } },
        { resource: { resourceType: 'Observation', id: 'ds6', status: 'no-such-status', code: { text: 'x' } }, request: { method: 'PUT', url: 'Observation/ds6' } },
      ],
    };
    expect((await call(server.base, 'POST', '', bundle)).status).toBeGreaterThanOrEqual(400);
    expect(await spans()).toEqual(before);
    expect((await call(server.base, 'PUT', '/Observation/ds5', bundle.entry[0]?.resource)).status).toBe(201);
    const grown = await spans();
    expect(grown['Observation date']).toBe(Date.parse('2024-01-01T00:00:01Z') - Date.parse('2014-01-01T00:00:00Z'));
    expect(await search('/Observation?code=2345-7&date=ge2023-12-31&date=lt2024-01-02')).toEqual(['ds5']);
    // Shortened, then deleted: the longest stays as it was (a looser bound).
    expect((await call(server.base, 'PUT', '/Observation/ds5', obs('ds5', '2345-7', { effectiveDateTime: '2024-01-01' }))).status).toBe(200);
    expect((await call(server.base, 'DELETE', '/Observation/ds5')).status).toBe(200);
    expect(await spans()).toEqual(grown);
  });
});
