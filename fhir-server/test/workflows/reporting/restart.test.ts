/**
 * A report delivery survives a restart (PostgreSQL, pg-boss jobs): the clinic's PACS is down when
 * the report is signed, the first attempt fails and is recorded, the server stops; the PACS comes
 * up, a server started on the same database delivers the report from the stored job.
 */
import { eventually } from '../../support/eventually.js';
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAuthServer, type AuthTestServer } from '../../support/auth.js';
import { order, PATIENT, SITE_USERS, setupSites, signIn, type Sites } from '../critical-values/sites.js';
import { deliveryOf, freePort, registerClinicPacs, run, sign, stopped, storescp, study } from './reading.js';

jest.setTimeout(300_000);

describe('report delivery across a restart (postgres)', () => {
  let first: AuthTestServer | undefined;
  let second: AuthTestServer | undefined;
  let pacs: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'qiao-restart-pacs-'));
  const keys = mkdtempSync(join(tmpdir(), 'qiao-restart-keys-'));
  afterAll(async () => {
    await first?.close();
    await second?.close();
    if (pacs) await stopped(pacs);
    rmSync(dir, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  });

  it('delivers after the restart what failed before it', async () => {
    const reporting = { turnaroundHours: 24, pacs: [], retrySeconds: 2, maxAttempts: 8 };
    first = await startAuthServer('postgres', { users: [...SITE_USERS], config: { reporting } });
    let sites: Sites = await setupSites(first);
    const port = await freePort();
    await registerClinicPacs(first, sites, port);
    const imgOrder = await order(first, sites, 'ct-r', { requester: sites.clinicRole, patient: PATIENT, code: '24627-2', display: 'Chest CT' });
    const report = await sign(first, sites, await study(first, sites, 'img-2001', 1, imgOrder), imgOrder);
    const server1 = first;
    const failed = await eventually(async () => {
      const t = await deliveryOf(server1, sites, report);
      return t?.note?.length ? t : undefined;
    });
    expect(failed.status).toBe('in-progress');
    const databaseUrl = first.databaseUrl;
    const keyFile = join(keys, 'keys.json');
    await copyFile(join(first.ctx.config.dataDir, 'keys', 'dev-keys.json'), keyFile);
    await first.close();
    first = undefined;

    pacs = await storescp(port, dir);
    second = await startAuthServer('postgres', { users: [...SITE_USERS], config: { databaseUrl, keyFile, reporting } });
    const server2 = second;
    sites = { ...sites, ...(await signIn(server2)) };
    const delivered = await eventually(async () => {
      const t = await deliveryOf(server2, sites, report);
      return t?.status === 'completed' ? t : undefined;
    }, 90_000);
    expect((delivered.note ?? []).length).toBeGreaterThanOrEqual(2);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const { stdout } = await run('dcmdump', ['+U8', join(dir, files[0] as string)]);
    expect(stdout).toContain('1.2.826.0.1.3680043.8.498.2001');
  });
});
