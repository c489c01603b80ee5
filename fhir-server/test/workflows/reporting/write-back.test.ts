/**
 * Remote reading write-back end to end over REST (PostgreSQL with pg-boss jobs, PGlite with the job table), with users of the county hospital (the
 * reading centre) and the ordering township clinic: a radiologist signs a report as the viewer does
 * (POST preliminary, PUT final); the report is completed with the order and the reading centre; the
 * clinic's subscription is notified and the clinic fetches the report; the clinic's PACS — a real
 * DCMTK storescp — receives a Basic Text SR with the Chinese findings and impression and the study
 * UID; with the PACS down the delivery fails and is retried until it is up again; overdue studies
 * follow each centre's turnaround; timeliness per centre matches the stored times; access checks.
 */
import { eventually } from '../../support/eventually.js';
import { jest } from '@jest/globals';
import type { Bundle, Communication, DiagnosticReport, Organization, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, userToken, useAuthServer } from '../../support/auth.js';
import { call, firstIssue } from '../../support/http.js';
import { BACKENDS } from '../../support/test-server.js';
import { Receiver } from '../../subscriptions/receiver.js';
import { CLINIC, COUNTY, OTHER, PATIENT, SITE_USERS, order, put, setupSites, type Sites } from '../critical-values/sites.js';
import { deliveryOf, FINDINGS, freePort, HOUR, IMPRESSION, registerClinicPacs, run, sign, stopped, storescp, study } from './reading.js';

jest.setTimeout(300_000);

const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';

const entries = <T,>(reply: { body: unknown }): T[] => ((reply.body as Bundle).entry ?? []).map((e) => e.resource as T);
const value = (p: ParametersParameter | undefined, name: string) => p?.part?.find((x) => x.name === name);

describe.each(BACKENDS)('report write-back to the ordering clinic (%s, auth on)', (backend) => {
  const server = useAuthServer(backend, { users: [...SITE_USERS], config: { reporting: { turnaroundHours: 24, pacs: [], retrySeconds: 1, maxAttempts: 6 } } });
  let sites: Sites;
  let pacsDir = '';
  let pacsPort = 0;
  let pacs: ChildProcess | undefined;
  const receiver = new Receiver();
  beforeAll(async () => {
    sites = await setupSites(server);
    pacsDir = mkdtempSync(join(tmpdir(), 'qiao-clinic-pacs-'));
    pacsPort = await freePort();
    await registerClinicPacs(server, sites, pacsPort);
    // The county hospital promises reports within 4 hours; the other centre keeps the default 24.
    const county = (await call(server.base, 'GET', COUNTY, undefined, sites.setup)).body as Organization;
    await put(server, sites.setup, { ...county, id: 'county-hospital', extension: [{ url: 'https://qiao.health/fhir/StructureDefinition/report-turnaround-hours', valueDecimal: 4 }] });
    await receiver.start();
  });
  afterAll(async () => {
    if (pacs) await stopped(pacs);
    await receiver.stop();
    rmSync(pacsDir, { recursive: true, force: true });
  });

  let first: DiagnosticReport;

  it("tells the clinic's subscription of a signed report, which the clinic then fetches", async () => {
    const imgOrder = await order(server, sites, 'ct-1', { requester: sites.clinicRole, patient: PATIENT, code: '24627-2', display: 'Chest CT' });
    const studyRef = await study(server, sites, 'img-1001', 2, imgOrder);
    pacs = await storescp(pacsPort, pacsDir);
    const subscription = await call(
      server.base,
      'POST',
      'Subscription',
      {
        resourceType: 'Subscription',
        meta: { profile: [`${BACKPORT}/backport-subscription`] },
        status: 'requested',
        reason: '本院申请的影像报告 | Imaging reports of our orders',
        criteria: 'https://qiao.health/fhir/SubscriptionTopic/diagnostic-report-final',
        _criteria: { extension: [{ url: `${BACKPORT}/backport-filter-criteria`, valueString: `DiagnosticReport?based-on=${imgOrder}` }] },
        channel: { type: 'rest-hook', endpoint: receiver.url, payload: 'application/fhir+json', _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: 'id-only' }] } },
      },
      sites.tokens['clinic-doctor'],
    );
    expect(subscription.status).toBe(201);
    await eventually(async () => ((await call(server.base, 'GET', `Subscription/${subscription.body.id as string}`, undefined, sites.tokens['clinic-doctor'])).body.status === 'active' ? true : undefined));

    first = await sign(server, sites, studyRef, imgOrder);
    // Completed on signing with what the clinic matches it by: its order, the reading centre, the reader.
    expect(first.basedOn?.[0]?.reference).toBe(imgOrder);
    expect(first.performer?.map((p) => p.reference)).toContain(COUNTY);
    expect(first.resultsInterpreter?.[0]?.reference).toBe(sites.practitioner['county-reader']);

    const notified = await eventually(async () => receiver.received.find((r) => r.type === 'event-notification'));
    const urls = (notified.body.entry as { fullUrl?: string }[]).slice(1).map((e) => e.fullUrl);
    expect(urls).toEqual([`${server.base}/DiagnosticReport/${first.id as string}`]);
    const fetched = await call(server.base, 'GET', `DiagnosticReport/${first.id as string}`, undefined, sites.tokens['clinic-doctor']);
    expect(fetched.status).toBe(200);
    expect(fetched.body.conclusion).toBe(IMPRESSION);
  });

  it("delivers the signed report to the clinic's PACS as a Basic Text SR in Chinese, with the study UID", async () => {
    const task = await eventually(async () => {
      const t = await deliveryOf(server, sites, first);
      return t?.status === 'completed' ? t : undefined;
    });
    expect(task.owner?.reference).toBe(CLINIC);
    expect(task.input?.find((i) => i.type.text === 'destination')?.valueString).toBe(`CLINICPACS@127.0.0.1:${pacsPort}`);
    expect(task.input?.find((i) => i.type.text === 'source')?.valueString).toBe('Endpoint/clinic-pacs');
    const uid = task.output?.find((o) => o.type.text === 'sop-instance-uid')?.valueString as string;
    const files = readdirSync(pacsDir);
    expect(files).toHaveLength(1);
    const { stdout } = await run('dcmdump', ['+U8', join(pacsDir, files[0] as string)]);
    expect(stdout).toContain('ISO_IR 192');
    expect(stdout).toContain('1.2.826.0.1.3680043.8.498.1001');
    expect(stdout).toContain('ACC-img-1001');
    expect(stdout).toContain(uid);
    expect(stdout).toContain(FINDINGS);
    expect(stdout).toContain(IMPRESSION);
    expect(stdout).toContain('王^芳');
    const sr = await run('dsrdump', [join(pacsDir, files[0] as string)]);
    expect(sr.stdout).toMatch(/Basic Text SR Document/);
    expect(sr.stdout).toMatch(/Verification Flag\s*: VERIFIED/);
    expect(sr.stdout).toContain('县人民医院');
  });

  it('retries while the PACS is down and delivers once it is up again', async () => {
    if (pacs) await stopped(pacs);
    pacs = undefined;
    const before = readdirSync(pacsDir).length;
    const imgOrder = await order(server, sites, 'ct-2', { requester: sites.clinicRole, patient: PATIENT, code: '24627-2', display: 'Chest CT' });
    const report = await sign(server, sites, await study(server, sites, 'img-1002', 3, imgOrder), imgOrder);
    // The first attempt fails and is recorded; the task stays open for the retry.
    const failing = await eventually(async () => {
      const t = await deliveryOf(server, sites, report);
      return t?.note?.length ? t : undefined;
    });
    expect(failing.status).toBe('in-progress');
    expect(failing.note?.[0]?.text).toMatch(/未接收.*\| Attempt 1: PACS CLINICPACS@127\.0\.0\.1:\d+ did not store it/);
    pacs = await storescp(pacsPort, pacsDir);
    const delivered = await eventually(async () => {
      const t = await deliveryOf(server, sites, report);
      return t?.status === 'completed' ? t : undefined;
    }, 60_000);
    expect((delivered.note ?? []).length).toBeGreaterThanOrEqual(2);
    expect(delivered.note?.at(-1)?.text).toMatch(/已发送至 CLINICPACS/);
    expect(readdirSync(pacsDir).length).toBe(before + 1);
  });

  it("lists studies past their reading centre's turnaround without a signed report", async () => {
    const late = await order(server, sites, 'ct-3', { requester: sites.clinicRole, patient: PATIENT, code: '24627-2', display: 'Chest CT' });
    await study(server, sites, 'img-1003', 6, late);
    const fresh = await order(server, sites, 'ct-4', { requester: sites.clinicRole, patient: PATIENT, code: '24627-2', display: 'Chest CT' });
    await study(server, sites, 'img-1004', 1, fresh);
    // Read at another centre whose turnaround is the default 24 h: six hours is not late there.
    await put(server, sites.setup, { resourceType: 'ServiceRequest', id: 'ct-5', status: 'active', intent: 'order', code: { text: 'Chest CT' }, subject: { reference: PATIENT }, requester: { reference: sites.clinicRole }, performer: [{ reference: OTHER }] });
    await study(server, sites, 'img-1005', 6, 'ServiceRequest/ct-5');

    const reply = await call(server.base, 'GET', 'ImagingStudy/$overdue-reports', undefined, sites.tokens['county-reader']);
    expect(reply.status).toBe(200);
    const rows = (reply.body as Parameters).parameter?.filter((p) => p.name === 'study') ?? [];
    expect(rows.map((r) => value(r, 'imaging-study')?.valueReference?.reference)).toEqual(['ImagingStudy/img-1003']);
    expect(value(rows[0], 'centre')?.valueReference?.reference).toBe(COUNTY);
    expect(value(rows[0], 'service-request')?.valueReference?.reference).toBe(late);
    expect(value(rows[0], 'hours-overdue')?.valueDecimal).toBeGreaterThan(1.9);
    expect(value(rows[0], 'hours-overdue')?.valueDecimal).toBeLessThan(2.5);
    expect((reply.body as Parameters).parameter?.find((p) => p.name === 'count')?.valueInteger).toBe(1);

    const otherCentre = await call(server.base, 'GET', `ImagingStudy/$overdue-reports?centre=${OTHER}`, undefined, sites.tokens['county-reader']);
    expect((otherCentre.body as Parameters).parameter?.find((p) => p.name === 'count')?.valueInteger).toBe(0);
    const bad = await call(server.base, 'GET', 'ImagingStudy/$overdue-reports?centre=Patient/1', undefined, sites.tokens['county-reader']);
    expect(bad.status).toBe(400);
    expect(firstIssue(bad).expression).toEqual(["Parameters.parameter.where(name = 'centre')"]);
  });

  it('reports timeliness per reading centre matching the stored times, and only to roles that read clinical data', async () => {
    const reports = entries<DiagnosticReport>(await call(server.base, 'GET', 'DiagnosticReport?status=final', undefined, sites.tokens['county-reader']));
    expect(reports).toHaveLength(2);
    const hours: number[] = [];
    for (const r of reports) {
      const s = (await call(server.base, 'GET', r.imagingStudy?.[0]?.reference as string, undefined, sites.tokens['county-reader'])).body;
      hours.push((Date.parse(r.issued as string) - Date.parse(s.started)) / HOUR);
    }
    hours.sort((a, b) => a - b);
    const reply = await call(server.base, 'GET', 'DiagnosticReport/$report-timeliness?period=day', undefined, sites.tokens['county-reader']);
    expect(reply.status).toBe(200);
    const rows = (reply.body as Parameters).parameter ?? [];
    expect(rows).toHaveLength(1);
    expect(value(rows[0], 'organization')?.valueReference?.reference).toBe(COUNTY);
    expect(value(rows[0], 'reports')?.valueInteger).toBe(2);
    expect(value(rows[0], 'turnaround-hours')?.valueDecimal).toBe(4);
    expect(value(rows[0], 'on-time')?.valueInteger).toBe(hours.filter((h) => h <= 4).length);
    expect(value(rows[0], 'hours-median')?.valueDecimal).toBeCloseTo(hours[0] as number, 2);
    expect(value(rows[0], 'hours-p90')?.valueDecimal).toBeCloseTo(hours[1] as number, 2);
    expect(value(rows[0], 'hours-max')?.valueDecimal).toBeCloseTo(hours[1] as number, 2);

    const auditor = await userToken(server, { username: 'auditor', scopes: 'openid user/*.rs' });
    const refused = await call(server.base, 'GET', 'DiagnosticReport/$report-timeliness', undefined, bearer(auditor.body.access_token as string));
    expect(refused.status).toBe(403);
  });

  it("publishes a report signed with the viewer's critical flag (危急值) to the ordering clinic, found through the study's order", async () => {
    const imgOrder = await order(server, sites, 'ct-6', { requester: sites.clinicRole, patient: PATIENT, code: '24627-2', display: 'Chest CT' });
    const studyRef = await study(server, sites, 'img-1006', 1, imgOrder);
    // The viewer's report names the study; the order comes from the study.
    const report = await sign(server, sites, studyRef, imgOrder, true);
    const alerts = entries<Communication>(
      await call(server.base, 'GET', `Communication?identifier=${encodeURIComponent(`https://qiao.health/fhir/sid/critical-value-result|DiagnosticReport/${report.id as string}`)}`, undefined, sites.tokens['clinic-doctor']),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.recipient?.[0]?.reference).toBe(CLINIC);
    expect(alerts[0]?.sender?.reference).toBe(sites.practitioner['county-reader']);
    expect(alerts[0]?.payload?.[0]?.contentString).toContain(IMPRESSION);
    // A preliminary save with the flag does not publish; signing does, once.
    const again = await call(server.base, 'PUT', `DiagnosticReport/${report.id as string}`, { ...report, status: 'amended' }, sites.tokens['county-reader']);
    expect(again.status).toBe(200);
    const still = entries<Communication>(
      await call(server.base, 'GET', `Communication?identifier=${encodeURIComponent(`https://qiao.health/fhir/sid/critical-value-result|DiagnosticReport/${report.id as string}`)}`, undefined, sites.tokens['clinic-doctor']),
    );
    expect(still).toHaveLength(1);
  });
});
