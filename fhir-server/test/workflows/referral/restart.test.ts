import { jest } from '@jest/globals';
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bearer, startAuthServer, userToken, type AuthTestServer } from '../../support/auth.js';
import { call } from '../../support/http.js';
import { startTestServer } from '../../support/test-server.js';
import { COUNTY, must, patientWithRecord, refer, REFERRAL_USERS, setUp, statusOf, step, TOWN } from './fixtures.js';
import { publishSlots } from './loop.js';

jest.setTimeout(240_000);

const STEP = 'https://qiao.health/fhir/StructureDefinition/referral-step';

describe('two-way referral across a server restart (PostgreSQL, auth on)', () => {
  it('a referral half-way through survives the restart with its steps and notifications, and the loop finishes on the new server', async () => {
    const first = await startAuthServer('postgres', { config: { crossOrg: 'shared-only' }, users: REFERRAL_USERS });
    let second: AuthTestServer | undefined;
    try {
      const a = await setUp(first);
      const [slot] = await publishSlots(first, a.practitioner['county-doctor'] as string, 1, true);
      const record = await patientWithRecord(first.base, a.town, TOWN);
      const { task } = await refer(first.base, a.town, { patient: record.patient, doctor: a.practitioner['town-doctor'] as string, from: TOWN, to: COUNTY, type: 'outpatient', reason: '血压控制不佳', supportingInfo: [record.condition] });
      await must(step(first.base, a.town, task, { action: 'submit' }), [200]);
      await must(step(first.base, a.townApprover, task, { action: 'approve' }), [200]);
      const notesBefore = (await call(first.base, 'GET', `Communication?subject=${record.patient}&_total=accurate`, undefined, a.town)).body.total as number;
      expect(notesBefore).toBeGreaterThan(0);
      // The same database and the same key ring (in the data directory), as after a real restart.
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'qiao-restart-'));
      await cp(first.ctx.config.dataDir, dataDir, { recursive: true });
      await first.close();

      const restarted = await startTestServer('postgres', { auth: 'on', crossOrg: 'shared-only', databaseUrl: first.databaseUrl, dataDir });
      second = { ...restarted, adminKey: first.adminKey };
      const token = async (username: string) => bearer((await userToken(restarted, { username, scopes: 'openid fhirUser user/*.cruds' })).body.access_token as string);
      const [town, countyApprover, county] = [await token('town-doctor'), await token('county-approver'), await token('county-doctor')];
      expect(statusOf((await must(call(restarted.base, 'GET', task, undefined, town))).body)).toBe('awaiting-receiver-approval');
      expect((await call(restarted.base, 'GET', `Communication?subject=${record.patient}&_total=accurate`, undefined, town)).body.total).toBe(notesBefore);
      // Notifications committed before the restart (their delivery possibly cut short) are delivered after it, each with its outcome.
      const pending = async () => (await call(restarted.base, 'GET', `Communication?subject=${record.patient}&status=preparation,in-progress&_total=accurate`, undefined, town)).body.total as number;
      for (let i = 0; i < 60 && (await pending()) > 0; i++) await new Promise((r) => setTimeout(r, 500));
      expect(await pending()).toBe(0);
      const delivered = (await call(restarted.base, 'GET', `Communication?subject=${record.patient}&_count=50`, undefined, town)).body.entry.map((e: { resource: Record<string, unknown> }) => e.resource);
      for (const c of delivered) {
        expect(['completed', 'not-done']).toContain(c.status);
        expect((c.extension as { url: string }[]).some((x) => x.url === 'https://qiao.health/fhir/StructureDefinition/notification-delivery')).toBe(true);
      }
      for (const [who, values] of [
        [countyApprover, { action: 'approve' }],
        [countyApprover, { action: 'schedule', slot: slot as string }],
        [county, { action: 'receive' }],
        [county, { action: 'feedback', note: '血压已控制，回基层随访' }],
        [town, { action: 'close' }],
      ] as const) {
        await must(step(restarted.base, who, task, values), [200]);
      }
      const done = (await must(call(restarted.base, 'GET', task, undefined, town))).body;
      const steps = done.extension.filter((e: { url: string }) => e.url === STEP).map((e: { extension: { url: string; valueCoding?: { code: string } }[] }) => e.extension.find((x) => x.url === 'status')?.valueCoding?.code);
      expect(steps).toEqual(['draft', 'awaiting-applicant-approval', 'awaiting-receiver-approval', 'awaiting-scheduling', 'scheduled', 'received', 'feedback-sent', 'closed']);
      expect((await call(restarted.base, 'GET', `Communication?subject=${record.patient}&_total=accurate`, undefined, town)).body.total).toBeGreaterThan(notesBefore);
    } finally {
      await second?.close();
    }
  });
});
