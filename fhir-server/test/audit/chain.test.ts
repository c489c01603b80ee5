import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import pg from 'pg';
import { auditLog, linkPending, purgeAudit, verifyChain } from '../../src/audit/index.js';
import { openPostgres } from '../../src/repository/postgres-db.js';
import { loadConfig } from '../../src/config.js';
import { call } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';

jest.setTimeout(120000);

const VERIFY_CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/audit/verify-cli.js');
const DAY_MS = 24 * 3600 * 1000;

/** The verification command as an operator runs it; its exit code and what it printed. */
async function verifyCommand(databaseUrl: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [VERIFY_CLI], { env: { ...process.env, DATABASE_URL: databaseUrl } });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

describe('audit chain verification and retention on postgres', () => {
  const server = useTestServer('postgres');
  const sql = <T extends object = Record<string, unknown>>(text: string, params: unknown[] = []) => server.ctx.db.query<T>(text, params);
  const chainRow = async (seq: number) => (await sql<{ event_id: string; hash: string }>('SELECT event_id, hash FROM audit_chain WHERE seq = $1', [seq]))[0] as { event_id: string; hash: string };

  beforeAll(async () => {
    for (let i = 0; i < 6; i++) await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: `患者${i}` }] });
    await call(server.base, 'GET', 'Patient?_count=3');
    await auditLog(server.ctx).flush();
  });

  it('finds the intact chain intact, with the command too', async () => {
    expect(await verifyChain(server.ctx.db)).toEqual({ ok: true, checked: 7, from: '0' });
    const run = await verifyCommand(server.databaseUrl as string);
    expect(run.code).toBe(0);
    expect(run.out).toContain('audit chain intact: 7 links');
  });

  it('detects an AuditEvent changed in place, in its history row or in its current row', async () => {
    const { event_id: id } = await chainRow(3);
    const original = (await sql<{ content: string }>("SELECT content FROM resource_history WHERE resource_type = 'AuditEvent' AND id = $1", [id]))[0]?.content as string;
    const forged = original.replace('"outcome":"0"', '"outcome":"4"');
    expect(forged).not.toBe(original);

    await sql("UPDATE resource_history SET content = $2 WHERE resource_type = 'AuditEvent' AND id = $1", [id, forged]);
    const result = await verifyChain(server.ctx.db);
    expect(result).toMatchObject({ ok: false, checked: 2, broken: { seq: '3', eventId: id, problem: 'hash-mismatch', found: (await chainRow(3)).hash } });
    expect(result.broken?.expected).toMatch(/^[0-9a-f]{64}$/);
    const run = await verifyCommand(server.databaseUrl as string);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`BROKEN at sequence 3 (AuditEvent/${id}): hash-mismatch`);
    await sql("UPDATE resource_history SET content = $2 WHERE resource_type = 'AuditEvent' AND id = $1", [id, original]);

    await sql("UPDATE resource SET content = $2 WHERE resource_type = 'AuditEvent' AND id = $1", [id, forged]);
    expect(await verifyChain(server.ctx.db)).toMatchObject({ ok: false, broken: { seq: '3', problem: 'current-differs' } });
    await sql("UPDATE resource SET content = $2 WHERE resource_type = 'AuditEvent' AND id = $1", [id, original]);
    expect((await verifyChain(server.ctx.db)).ok).toBe(true);
  });

  it('detects a changed or removed chain row', async () => {
    const row4 = await chainRow(4);
    await sql("UPDATE audit_chain SET hash = repeat('a', 64) WHERE seq = 4");
    expect(await verifyChain(server.ctx.db)).toMatchObject({ ok: false, broken: { seq: '4', problem: 'hash-mismatch', found: 'a'.repeat(64) } });
    await sql('UPDATE audit_chain SET hash = $1 WHERE seq = 4', [row4.hash]);

    await sql('DELETE FROM audit_chain WHERE seq = 5');
    expect(await verifyChain(server.ctx.db)).toMatchObject({ ok: false, broken: { problem: 'gap', expected: '5', found: '6' } });
    expect((await verifyCommand(server.databaseUrl as string)).code).toBe(1);
    await sql('DELETE FROM audit_chain WHERE seq = 6');
    expect(await verifyChain(server.ctx.db)).toMatchObject({ ok: false, broken: { problem: 'gap', expected: '5', found: '7' } });
  });

  it('with a fresh chain: a deleted AuditEvent and one inserted behind the server are both found', async () => {
    const fresh = await freshServer();
    try {
      await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '王五' }] });
      await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '赵六' }] });
      const db = fresh.ctx.db;
      await auditLog(fresh.ctx).flush();
      expect((await verifyChain(db)).ok).toBe(true);
      const [{ event_id: id }] = (await db.query<{ event_id: string }>('SELECT event_id FROM audit_chain WHERE seq = 1')) as [{ event_id: string }];
      const [stored] = (await db.query<{ content: string }>("SELECT content FROM resource WHERE resource_type = 'AuditEvent' AND id = $1", [id])) as [{ content: string }];
      await db.query("DELETE FROM resource WHERE resource_type = 'AuditEvent' AND id = $1", [id]);
      await db.query("DELETE FROM resource_history WHERE resource_type = 'AuditEvent' AND id = $1", [id]);
      expect(await verifyChain(db)).toMatchObject({ ok: false, broken: { seq: '1', eventId: id, problem: 'missing-record' } });
      await db.query(
        "INSERT INTO resource (resource_type, id, version_id, last_updated, content) VALUES ('AuditEvent', 'slipped-in', 1, now(), $1)",
        [stored.content.replace(id, 'slipped-in')],
      );
      await db.query("INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, content) SELECT resource_type, id, version_id, last_updated, 'POST', content FROM resource WHERE id = 'slipped-in'");
      await db.query('DELETE FROM audit_chain');
      await db.query("UPDATE audit_chain_head SET seq = 0, hash = repeat('0', 64)");
      expect(await verifyChain(db)).toMatchObject({ ok: false, broken: { problem: 'unchained-record' } });
    } finally {
      await fresh.close();
    }
  });

  it('a write whose audit record cannot be written is not stored', async () => {
    const fresh = await freshServer();
    try {
      await fresh.ctx.db.query('ALTER TABLE audit_pending RENAME TO audit_pending_away');
      const reply = await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '不留痕' }] });
      expect(reply.status).toBe(500);
      await fresh.ctx.db.query('ALTER TABLE audit_pending_away RENAME TO audit_pending');
      expect((await call(fresh.base, 'GET', 'Patient?name=不留痕')).body.total).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it('writers do not wait for the chain: a write completes while the chain head is locked, and is linked after', async () => {
    const fresh = await freshServer();
    const holder = new pg.Client({ connectionString: fresh.databaseUrl as string });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM audit_chain_head WHERE one FOR UPDATE');
      const reply = await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '不等链' }] });
      expect(reply.status).toBe(201);
      const pending = await fresh.ctx.db.query<{ event_id: string }>('SELECT event_id FROM audit_pending');
      expect(pending).toHaveLength(1);
      expect(await fresh.ctx.db.query('SELECT 1 FROM audit_chain')).toHaveLength(0);
      await holder.query('COMMIT');
      // The server's own linker chains it shortly after (well under a second).
      const deadline = Date.now() + 5000;
      while ((await fresh.ctx.db.query('SELECT 1 FROM audit_chain')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const chain = await fresh.ctx.db.query<{ event_id: string; linked_at: Date | null }>('SELECT event_id, linked_at FROM audit_chain');
      expect(chain).toEqual([{ event_id: pending[0]?.event_id, linked_at: expect.anything() }]);
      expect(await verifyChain(fresh.ctx.db)).toEqual({ ok: true, checked: 1, from: '0' });
    } finally {
      await holder.end();
      await fresh.close();
    }
  });

  it('two linkers on one database make one chain (the advisory lock), in the order records were committed', async () => {
    const fresh = await freshServer();
    try {
      const other = await openPostgres({ url: fresh.databaseUrl as string });
      try {
        const writes = Array.from({ length: 20 }, (_, i) => call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: `并发${i}` }] }));
        const linking = Array.from({ length: 6 }, () => linkPending(other));
        await Promise.all([...writes, ...linking]);
        await auditLog(fresh.ctx).flush();
        const chain = await fresh.ctx.db.query<{ seq: string }>('SELECT seq::text AS seq FROM audit_chain ORDER BY audit_chain.seq');
        expect(chain.map((c) => c.seq)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
        expect(await verifyChain(fresh.ctx.db)).toEqual({ ok: true, checked: 20, from: '0' });
      } finally {
        await other.close();
      }
    } finally {
      await fresh.close();
    }
  });

  it('after linking: a slipped-in chain link is found; before linking: a record deleted or left unlinked is reported once older than the grace period', async () => {
    const fresh = await freshServer();
    try {
      const db = fresh.ctx.db;
      for (let i = 0; i < 3; i++) await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: `链${i}` }] });
      await auditLog(fresh.ctx).flush();
      expect(await verifyChain(db)).toEqual({ ok: true, checked: 3, from: '0' });

      // A fake link between 1 and 2 (its record copied from link 2 under a new id) breaks the sequence or the hashes.
      // (Shifted through negative numbers: the primary key is checked row by row.)
      await db.query('UPDATE audit_chain SET seq = -seq WHERE seq >= 2');
      await db.query('UPDATE audit_chain SET seq = 1 - seq WHERE seq < 0');
      await db.query("INSERT INTO audit_chain (seq, kind, event_id, recorded, hash) SELECT 2, 'event', event_id, recorded, hash FROM audit_chain WHERE seq = 3");
      expect(await verifyChain(db)).toMatchObject({ ok: false, broken: { seq: '3', problem: 'hash-mismatch' } });
      await db.query('DELETE FROM audit_chain WHERE seq = 2');
      await db.query('UPDATE audit_chain SET seq = -seq WHERE seq >= 3');
      await db.query('UPDATE audit_chain SET seq = -seq - 1 WHERE seq < 0');
      expect((await verifyChain(db)).ok).toBe(true);

      // Records the linker has not reached: fine while young, an error once older than the grace period.
      await fresh.ctx.db.query('ALTER TABLE audit_chain_head RENAME TO audit_chain_head_away');
      await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '待链' }] });
      const [{ event_id: waiting }] = (await db.query<{ event_id: string }>('SELECT event_id FROM audit_pending')) as [{ event_id: string }];
      await db.query("DELETE FROM resource WHERE resource_type = 'AuditEvent' AND id = $1", [waiting]);
      await db.query("DELETE FROM resource_history WHERE resource_type = 'AuditEvent' AND id = $1", [waiting]);
      await db.query("UPDATE audit_pending SET written_at = now() - interval '2 minutes'");
      await fresh.ctx.db.query('ALTER TABLE audit_chain_head_away RENAME TO audit_chain_head');
      // The linker does not chain a pending row whose record is gone; verification names it.
      await linkPending(db, { wait: true });
      expect(await verifyChain(db)).toMatchObject({ ok: false, broken: { eventId: waiting, problem: 'unlinked-record', found: expect.stringContaining('record deleted before linking') } });
      expect(await verifyChain(db, { graceSeconds: 3600 })).toMatchObject({ ok: true });
      const run = await verifyCommand(fresh.databaseUrl as string);
      expect(run.code).toBe(1);
      expect(run.out).toContain(`AuditEvent/${waiting}): unlinked-record`);
    } finally {
      await fresh.close();
    }
  });

  it('keeps at least 180 days, purges only older records and leaves the chain verifiable from an anchor', async () => {
    expect(() => loadConfig({ QIAO_AUDIT_RETENTION_DAYS: '179' })).toThrow(/at least 180/);
    expect(loadConfig({}).auditRetentionDays).toBe(180);
    await expect(purgeAudit(server.ctx.db, 90)).rejects.toThrow(/at least 180/);

    const fresh = await freshServer();
    try {
      const db = fresh.ctx.db;
      for (let i = 0; i < 3; i++) await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: `旧${i}` }] });
      await new Promise((r) => setTimeout(r, 20));
      const boundary = new Date();
      await new Promise((r) => setTimeout(r, 20));
      for (let i = 0; i < 2; i++) await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: `新${i}` }] });
      await auditLog(fresh.ctx).flush();
      const count = async () => Number((await db.query<{ n: string }>("SELECT count(*)::text AS n FROM resource WHERE resource_type = 'AuditEvent'"))[0]?.n);
      expect(await count()).toBe(5);

      // Nothing is old enough today.
      expect(await purgeAudit(db, 180)).toEqual({ purged: 0 });
      // 180 days after the boundary, the three records before it have expired, the two after it not.
      expect(await purgeAudit(db, 180, new Date(boundary.getTime() + 180 * DAY_MS))).toEqual({ purged: 3, anchorSeq: '3' });
      expect(await count()).toBe(2);
      expect(await verifyChain(db)).toEqual({ ok: true, checked: 3, from: '3' });
      expect((await call(fresh.base, 'GET', 'AuditEvent?action=C')).body.total).toBe(2);

      await call(fresh.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '后' }] });
      await auditLog(fresh.ctx).flush();
      // The anchor, the two kept records, the search just made and the create after it.
      expect(await verifyChain(db)).toEqual({ ok: true, checked: 5, from: '3' });
      // Tampering after the anchor is still found.
      await db.query("UPDATE resource_history SET content = replace(content, '\"outcome\":\"0\"', '\"outcome\":\"8\"') WHERE resource_type = 'AuditEvent' AND id = (SELECT event_id FROM audit_chain WHERE seq = 4)");
      expect(await verifyChain(db)).toMatchObject({ ok: false, broken: { seq: '4', problem: 'hash-mismatch' } });
    } finally {
      await fresh.close();
    }
  });
});

async function freshServer() {
  const { startTestServer } = await import('../support/test-server.js');
  return startTestServer('postgres');
}
