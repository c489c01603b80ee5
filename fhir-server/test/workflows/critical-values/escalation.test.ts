/**
 * Escalation of an unacknowledged critical value, across a restart (PostgreSQL): a result is
 * published while the limit is long; the server stops; a server started on the same database with
 * a limit of one second escalates the stored alert to the clinic and its alliance hospital, naming
 * the clinic's administrative contact — once — and the statistics count it overdue. It can still
 * be acknowledged afterwards.
 */
import { eventually } from '../../support/eventually.js';
import { jest } from '@jest/globals';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Communication, Parameters } from '@medplum/fhirtypes';
import { startAuthServer, type AuthTestServer } from '../../support/auth.js';
import { call } from '../../support/http.js';
import { CLINIC, CLINIC_ADMIN_PHONE, COUNTY, order, PATIENT, SITE_USERS, setupSites, signIn, type Sites } from './sites.js';

jest.setTimeout(300_000);

const CV = 'https://qiao.health/fhir/CodeSystem/critical-value';
const ESCALATION = 'https://qiao.health/fhir/StructureDefinition/critical-value-escalation';
const entries = <T,>(reply: { body: unknown }): T[] => ((reply.body as Bundle).entry ?? []).map((e) => e.resource as T);

describe('critical value escalation after the acknowledgement limit, across a restart (postgres)', () => {
  let first: AuthTestServer | undefined;
  let second: AuthTestServer | undefined;
  let keyDir = '';
  let keyFile = '';
  beforeAll(async () => {
    keyDir = await mkdtemp(join(tmpdir(), 'qiao-keys-'));
    keyFile = join(keyDir, 'keys.json');
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await rm(keyDir, { recursive: true, force: true });
  });

  it('escalates a stored unacknowledged alert once, after a restart, and counts it overdue', async () => {
    first = await startAuthServer('postgres', { users: [...SITE_USERS], config: { criticalValues: { ackSeconds: 3600, sweepSeconds: 1 } } });
    let sites: Sites = await setupSites(first);
    const labOrder = await order(first, sites, 'lab-glucose', { requester: sites.clinicRole, patient: PATIENT, code: '2345-7', display: 'Glucose' });
    const created = await call(
      first.base,
      'POST',
      'Observation',
      {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }], text: '血糖' },
        subject: { reference: PATIENT },
        basedOn: [{ reference: labOrder }],
        valueQuantity: { value: 1.8, unit: 'mmol/L' },
        interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'LL' }] }],
      },
      sites.tokens['county-lab'],
    );
    expect(created.status).toBe(201);
    const find = async (server: AuthTestServer, kind: string) =>
      entries<Communication>(await call(server.base, 'GET', `Communication?category=${encodeURIComponent(`${CV}|${kind}`)}`, undefined, sites.tokens['county-lab']));
    const [alert] = await find(first, 'critical-value');
    expect(alert).toBeDefined();
    // Within the limit: the sweeper (running every second) leaves it alone.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await find(first, 'critical-value-escalation')).toEqual([]);
    const databaseUrl = first.databaseUrl;
    // The database's keys (generated for a development data directory) go with it to the next server.
    await copyFile(join(first.ctx.config.dataDir, 'keys', 'dev-keys.json'), keyFile);
    await first.close();
    first = undefined;

    second = await startAuthServer('postgres', { users: [...SITE_USERS], config: { databaseUrl, keyFile, criticalValues: { ackSeconds: 1, sweepSeconds: 1 } } });
    const server = second;
    sites = { ...sites, ...(await signIn(server)) };
    const [escalation] = await eventually(async () => {
      const found = await find(server, 'critical-value-escalation');
      return found.length ? found : undefined;
    });
    expect(escalation?.partOf?.[0]?.reference).toBe(`Communication/${alert?.id as string}`);
    expect(escalation?.priority).toBe('stat');
    expect(escalation?.recipient?.map((r) => r.reference)).toEqual([CLINIC, COUNTY]);
    expect(escalation?.payload?.[0]?.contentString).toContain(CLINIC_ADMIN_PHONE);
    expect(escalation?.payload?.[0]?.contentString).toMatch(/仍未确认.*\| Critical value unacknowledged/);
    const marked = (await call(server.base, 'GET', `Communication/${alert?.id as string}`, undefined, sites.tokens['county-lab'])).body as Communication;
    expect(marked.extension?.find((e) => e.url === ESCALATION)?.valueReference?.reference).toBe(`Communication/${escalation?.id as string}`);
    // Further sweeps do not escalate it again.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await find(server, 'critical-value-escalation')).toHaveLength(1);

    const stats = await call(server.base, 'GET', `Communication/$critical-value-stats?site=${CLINIC}&period=all`, undefined, sites.tokens['county-lab']);
    const row = (stats.body as Parameters).parameter?.find((p) => p.name === 'site');
    expect(row?.part?.find((p) => p.name === 'published')?.valueInteger).toBe(1);
    expect(row?.part?.find((p) => p.name === 'acknowledged')?.valueInteger).toBe(0);
    expect(row?.part?.find((p) => p.name === 'overdue')?.valueInteger).toBe(1);

    // Late, but still acknowledged: the receipt records the real time.
    const ack = await call(server.base, 'POST', `Communication/${alert?.id as string}/$acknowledge`, { resourceType: 'Parameters', parameter: [{ name: 'contact', valueString: '13912345678' }] }, sites.tokens['clinic-doctor']);
    expect(ack.status).toBe(200);
    const after = await call(server.base, 'GET', `Communication/$critical-value-stats?site=${CLINIC}&period=all`, undefined, sites.tokens['county-lab']);
    const late = (after.body as Parameters).parameter?.find((p) => p.name === 'site');
    expect(late?.part?.find((p) => p.name === 'acknowledged')?.valueInteger).toBe(1);
    expect(late?.part?.find((p) => p.name === 'overdue')?.valueInteger).toBe(1);
    expect(late?.part?.find((p) => p.name === 'ack-seconds-max')?.valueDecimal).toBeGreaterThan(2);
  });
});
