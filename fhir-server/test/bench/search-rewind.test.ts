import { auditLog, linkPending, verifyChain } from '../../src/audit/index.js';
import { rewindAuditRecords } from '../../src/bench/search/rewind.js';
import { call } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';

/**
 * The search benchmark takes the audit records its earlier runs left out of the kept dataset
 * (src/bench/search/rewind.ts): those written after the load go, with their index rows, history
 * and chain links; the chain still verifies, and records written after the rewind link onto it.
 */
describe('the search benchmark rewinds the audit records of earlier runs', () => {
  const server = useTestServer('postgres');
  const settle = async () => {
    await auditLog(server.ctx).flush();
    await linkPending(server.ctx.db, { wait: true });
  };
  const auditEvents = async (after: string) =>
    (await server.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'AuditEvent' AND last_updated > $1`, [after]))[0]?.n;

  it('removes what was written after the load, and the chain goes on from where the load left it', async () => {
    expect((await call(server.base, 'PUT', '/Patient/rw1', { resourceType: 'Patient', id: 'rw1', name: [{ family: '王' }] })).status).toBe(201);
    await settle();
    const loaded = await server.ctx.db.query<{ seq: string; n: number }>(
      `SELECT (SELECT seq::text FROM audit_chain_head) AS seq, (SELECT count(*)::int FROM resource WHERE resource_type = 'AuditEvent') AS n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const loadedAt = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const query of ['/Patient?family=王', '/Patient/rw1', '/Patient?_id=rw1']) expect((await call(server.base, 'GET', query)).status).toBe(200);
    await settle();
    const written = await auditEvents(loadedAt);
    expect(written).toBeGreaterThanOrEqual(3);

    expect(await rewindAuditRecords(server.databaseUrl as string, loadedAt)).toBe(written);
    expect(await auditEvents(loadedAt)).toBe(0);
    const left = await server.ctx.db.query<{ seq: string; n: number; rows: number }>(
      `SELECT (SELECT seq::text FROM audit_chain_head) AS seq, (SELECT count(*)::int FROM resource WHERE resource_type = 'AuditEvent') AS n,
         (SELECT count(*)::int FROM search_reference r WHERE r.resource_type = 'AuditEvent' AND NOT EXISTS (SELECT 1 FROM resource x WHERE x.resource_type = 'AuditEvent' AND x.id = r.id)) AS rows`,
    );
    expect(left).toEqual([{ ...loaded[0], rows: 0 }]);
    expect((await verifyChain(server.ctx.db)).ok).toBe(true);

    expect((await call(server.base, 'GET', '/Patient/rw1')).status).toBe(200);
    await settle();
    expect(await auditEvents(loadedAt)).toBe(1);
    expect((await verifyChain(server.ctx.db)).ok).toBe(true);
  });

  it('refuses an instant it would have to write into its statements unchecked', async () => {
    await expect(rewindAuditRecords(server.databaseUrl as string, "2026-01-01'; DROP TABLE resource; --")).rejects.toThrow(RangeError);
  });
});
