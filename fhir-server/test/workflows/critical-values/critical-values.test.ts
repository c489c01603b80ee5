/**
 * Critical values (危急值) end to end over REST, with real tokens of users of the county hospital
 * (publisher), the ordering township clinic (receiver) and another clinic: a final laboratory
 * result coded critical publishes a Flag, an alert to the ordering site and follow-up Tasks; the
 * clinic acknowledges with its telephone; the publisher reads the receipt; refusals (not the
 * recipient, no telephone, a second acknowledgement, acknowledging by hand, retraction by someone
 * else, a retracted alert); manual publication; acknowledgement times per site.
 */
import { eventually } from '../../support/eventually.js';
import { jest } from '@jest/globals';
import type { Bundle, Communication, Flag, Parameters, Task } from '@medplum/fhirtypes';
import { BACKENDS } from '../../support/test-server.js';
import { useAuthServer } from '../../support/auth.js';
import { call, firstIssue } from '../../support/http.js';
import { CLINIC, COUNTY, OTHER, OTHER_PATIENT, PATIENT, SITE_USERS, order, setupSites, type Sites } from './sites.js';

// Servers with accounts, on a machine shared with other test runs: minutes, not the default seconds.
jest.setTimeout(300_000);

const CV = 'https://qiao.health/fhir/CodeSystem/critical-value';
const ACK = 'https://qiao.health/fhir/StructureDefinition/critical-value-acknowledgement';

function potassium(basedOn: string | undefined, interpretation: string | undefined, status = 'final', patient = PATIENT): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    status,
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma' }], text: '血钾' },
    subject: { reference: patient },
    ...(basedOn ? { basedOn: [{ reference: basedOn }] } : {}),
    effectiveDateTime: new Date().toISOString(),
    valueQuantity: { value: interpretation === 'LL' ? 2.1 : 6.9, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    ...(interpretation ? { interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: interpretation }] }] } : {}),
  };
}

const entries = <T,>(reply: { body: unknown }): T[] => ((reply.body as Bundle).entry ?? []).map((e) => e.resource as T);
const part = (p: Parameters, name: string) => p.parameter?.filter((x) => x.name === name) ?? [];
const ackPart = (alert: Communication, name: string) => alert.extension?.find((e) => e.url === ACK)?.extension?.find((e) => e.url === name);

describe.each(BACKENDS)('critical values over REST (%s, auth on)', (backend) => {
  const server = useAuthServer(backend, { users: [...SITE_USERS] });
  let sites: Sites;
  let labOrder = '';
  const as = (user: keyof Sites['tokens']) => sites.tokens[user];
  const alertOf = async (result: string): Promise<Communication | undefined> =>
    entries<Communication>(await call(server.base, 'GET', `Communication?category=${encodeURIComponent(`${CV}|critical-value`)}&identifier=${encodeURIComponent(`https://qiao.health/fhir/sid/critical-value-result|${result}`)}`, undefined, as('county-lab')))[0];

  beforeAll(async () => {
    sites = await setupSites(server);
    labOrder = await order(server, sites, 'lab-k', { requester: sites.clinicRole, patient: PATIENT, code: '2823-3', display: 'Potassium' });
  });

  let alert: Communication;
  let result = '';

  it('publishes a final critical result to the ordering clinic: Flag, stat alert, follow-ups at 0, 24 and 72 h', async () => {
    const created = await call(server.base, 'POST', 'Observation', potassium(labOrder, 'HH'), as('county-lab'));
    expect(created.status).toBe(201);
    result = `Observation/${created.body.id as string}`;
    // The clinic doctor finds it as a recipient.
    const inbox = entries<Communication>(await call(server.base, 'GET', `Communication?recipient=${CLINIC}&category=${encodeURIComponent(`${CV}|critical-value`)}`, undefined, as('clinic-doctor')));
    expect(inbox).toHaveLength(1);
    alert = inbox[0] as Communication;
    expect(alert.priority).toBe('stat');
    // Not acknowledged yet (the notify module may already have delivered it and marked it completed).
    expect(alert.received).toBeUndefined();
    expect(['in-progress', 'completed']).toContain(alert.status);
    expect(alert.recipient?.map((r) => r.reference)).toEqual([CLINIC, sites.practitioner['clinic-doctor']]);
    expect(alert.sender?.reference).toBe(sites.practitioner['county-lab']);
    expect(alert.basedOn?.[0]?.reference).toBe(labOrder);
    expect(alert.about?.[0]?.reference).toBe(result);
    // Publisher and their telephone (发布人、联系方式、发布时间).
    expect(alert.payload?.[0]?.contentString).toContain('6.9 mmol/L');
    expect(alert.payload?.[0]?.contentString).toContain('13800000000');
    expect(Date.parse(alert.sent as string)).toBeGreaterThan(Date.now() - 60_000);

    const flagRef = alert.about?.[1]?.reference as string;
    const flag = (await call(server.base, 'GET', flagRef, undefined, as('clinic-doctor'))).body as Flag;
    expect(flag.status).toBe('active');
    expect(flag.code.coding?.[0]).toMatchObject({ system: CV, code: 'critical-value', display: '危急值' });
    expect(flag.subject.reference).toBe(PATIENT);
    // Published at the flag's start; `sent` is that time, or later the time the notify module reached someone.
    expect(Date.parse(flag.period?.start as string)).toBeLessThanOrEqual(Date.parse(alert.sent as string));
    expect(Date.parse(alert.sent as string) - Date.parse(flag.period?.start as string)).toBeLessThan(60_000);
    expect(flag.extension?.[0]?.valueReference?.reference).toBe(result);
    // The patient's active flags show it (search by date and patient).
    const flags = entries<Flag>(await call(server.base, 'GET', `Flag?patient=${PATIENT}&date=ge${(alert.sent as string).slice(0, 10)}`, undefined, as('clinic-doctor')));
    expect(flags.map((f) => f.id)).toContain(flagRef.split('/')[1]);

    const tasks = entries<Task>(await call(server.base, 'GET', `Task?focus=${result}&code=${encodeURIComponent(`${CV}|critical-value-follow-up`)}&_sort=_id`, undefined, as('clinic-doctor')));
    expect(tasks).toHaveLength(3);
    const due = tasks.map((t) => (Date.parse(t.restriction?.period?.end as string) - Date.parse(flag.period?.start as string)) / 3600_000).sort((a, b) => a - b);
    expect(due).toEqual([0, 24, 72]);
    for (const t of tasks) {
      expect(t.status).toBe('requested');
      expect(t.owner?.reference).toBe(CLINIC);
      expect(t.for?.reference).toBe(PATIENT);
      expect(t.restriction?.period?.start).toBe(flag.period?.start);
    }
  });

  it('refuses an acknowledgement from another clinic, without a telephone, or written by hand', async () => {
    const other = await call(server.base, 'POST', `Communication/${alert.id as string}/$acknowledge`, { resourceType: 'Parameters', parameter: [{ name: 'contact', valueString: '13900001111' }] }, as('other-doctor'));
    expect(other.status).toBe(403);
    expect(firstIssue(other).code).toBe('forbidden');
    expect(JSON.stringify(other.body)).toMatch(/只有危急值通知的接收机构.*\| Only the receiving organisation/);
    const noPhone = await call(server.base, 'POST', `Communication/${alert.id as string}/$acknowledge`, { resourceType: 'Parameters', parameter: [] }, as('clinic-doctor'));
    expect(noPhone.status).toBe(400);
    expect(firstIssue(noPhone).code).toBe('required');
    const byHand = await call(server.base, 'PUT', `Communication/${alert.id as string}`, { ...alert, received: new Date().toISOString() }, as('clinic-doctor'));
    expect(byHand.status).toBe(422);
    expect(firstIssue(byHand).expression).toEqual(['Communication.status']);
    // None of them changed the alert.
    const now = (await call(server.base, 'GET', `Communication/${alert.id as string}`, undefined, as('county-lab'))).body as Communication;
    expect(now.received).toBeUndefined();
    expect(ackPart(now, 'time')).toBeUndefined();
  });

  it('records the acknowledgement (receiver, telephone, time) and the publisher reads the receipt', async () => {
    const before = Date.now();
    const ack = await call(server.base, 'POST', `Communication/${alert.id as string}/$acknowledge`, { resourceType: 'Parameters', parameter: [{ name: 'contact', valueString: '13912345678' }] }, as('clinic-doctor'));
    expect(ack.status).toBe(200);
    const seen = (await call(server.base, 'GET', `Communication/${alert.id as string}`, undefined, as('county-lab'))).body as Communication;
    expect(ackPart(seen, 'receiver')?.valueReference?.reference).toBe(sites.practitioner['clinic-doctor']);
    expect(ackPart(seen, 'contact')?.valueContactPoint).toEqual({ system: 'phone', value: '13912345678' });
    const time = Date.parse(ackPart(seen, 'time')?.valueDateTime as string);
    expect(time).toBeGreaterThanOrEqual(before - 1000);
    expect(seen.received).toBe(ackPart(seen, 'time')?.valueDateTime);
    // The receipt goes back to the publisher, found from the alert.
    const receipts = entries<Communication>(await call(server.base, 'GET', `Communication?part-of=Communication/${alert.id as string}&category=${encodeURIComponent(`${CV}|critical-value-receipt`)}`, undefined, as('county-lab')));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.recipient?.[0]?.reference).toBe(sites.practitioner['county-lab']);
    expect(receipts[0]?.sender?.reference).toBe(sites.practitioner['clinic-doctor']);
    expect(receipts[0]?.inResponseTo?.[0]?.reference).toBe(`Communication/${alert.id as string}`);
    expect(receipts[0]?.payload?.[0]?.contentString).toContain('13912345678');
    // Acknowledged alerts are found by time: received within the last minute.
    const recent = entries<Communication>(await call(server.base, 'GET', `Communication?received=ge${new Date(before - 60_000).toISOString()}&category=${encodeURIComponent(`${CV}|critical-value`)}`, undefined, as('county-lab')));
    expect(recent.map((c) => c.id)).toEqual([alert.id]);

    const again = await call(server.base, 'POST', `Communication/${alert.id as string}/$acknowledge`, { resourceType: 'Parameters', parameter: [{ name: 'contact', valueString: '13912345678' }] }, as('clinic-doctor'));
    expect(again.status).toBe(409);
    const edit = await call(server.base, 'PUT', `Communication/${alert.id as string}`, { ...seen, payload: [{ contentString: 'changed' }] }, as('county-lab'));
    expect(edit.status).toBe(409);
  });

  it('retracts an alert only by its publisher, which cancels its Flag and follow-ups; a retracted alert cannot be acknowledged', async () => {
    const created = await call(server.base, 'POST', 'Observation', potassium(labOrder, 'LL'), as('county-lab'));
    expect(created.status).toBe(201);
    const second = (await alertOf(`Observation/${created.body.id as string}`)) as Communication;
    expect(second).toBeDefined();
    const byClinic = await call(server.base, 'PUT', `Communication/${second.id as string}`, { ...second, status: 'entered-in-error' }, as('clinic-doctor'));
    expect(byClinic.status).toBe(403);
    const byPublisher = await call(server.base, 'PUT', `Communication/${second.id as string}`, { ...second, status: 'entered-in-error' }, as('county-lab'));
    expect(byPublisher.status).toBe(200);
    const flag = (await call(server.base, 'GET', second.about?.[1]?.reference as string, undefined, as('county-lab'))).body as Flag;
    expect(flag.status).toBe('entered-in-error');
    expect(flag.period?.end).toBeDefined();
    const tasks = entries<Task>(await call(server.base, 'GET', `Task?focus=Observation/${created.body.id as string}`, undefined, as('county-lab')));
    expect(tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const ack = await call(server.base, 'POST', `Communication/${second.id as string}/$acknowledge`, { resourceType: 'Parameters', parameter: [{ name: 'contact', valueString: '13912345678' }] }, as('clinic-doctor'));
    expect(ack.status).toBe(409);
  });

  it('publishes by hand ($publish-critical) once per result, only a signed one, only with an order', async () => {
    const plain = await call(server.base, 'POST', 'Observation', potassium(labOrder, undefined), as('county-lab'));
    expect(await alertOf(`Observation/${plain.body.id as string}`)).toBeUndefined();
    const published = await call(server.base, 'POST', `Observation/${plain.body.id as string}/$publish-critical`, { resourceType: 'Parameters', parameter: [{ name: 'contact', valueString: '0571-12345678' }] }, as('county-lab'));
    expect(published.status).toBe(200);
    const manual = part(published.body as Parameters, 'alert')[0]?.resource as Communication;
    expect(manual.recipient?.[0]?.reference).toBe(CLINIC);
    expect(manual.payload?.[0]?.contentString).toContain('0571-12345678');
    expect(part(published.body as Parameters, 'task')).toHaveLength(3);
    const twice = await call(server.base, 'POST', `Observation/${plain.body.id as string}/$publish-critical`, { resourceType: 'Parameters', parameter: [] }, as('county-lab'));
    expect((part(twice.body as Parameters, 'alert')[0]?.resource as Communication).id).toBe(manual.id);

    const preliminary = await call(server.base, 'POST', 'Observation', potassium(labOrder, 'HH', 'preliminary'), as('county-lab'));
    expect(await alertOf(`Observation/${preliminary.body.id as string}`)).toBeUndefined();
    const unsigned = await call(server.base, 'POST', `Observation/${preliminary.body.id as string}/$publish-critical`, undefined, as('county-lab'));
    expect(unsigned.status).toBe(422);
    expect(firstIssue(unsigned).expression).toEqual(['Observation.status']);

    // A critical result without an order is stored, with a warning, and nobody is notified.
    const orphan = await call(server.base, 'POST', 'Observation', potassium(undefined, 'HH'), { ...as('county-lab'), prefer: 'return=OperationOutcome' });
    expect(orphan.status).toBe(201);
    expect(JSON.stringify(orphan.body)).toContain('critical-value.no-order');
    expect(await alertOf(`Observation/${orphan.headers.get('location')?.split('/')[5] as string}`)).toBeUndefined();
    const manualOrphan = await call(server.base, 'POST', `Observation/${orphan.headers.get('location')?.split('/')[5] as string}/$publish-critical`, undefined, as('county-lab'));
    expect(manualOrphan.status).toBe(422);
  });

  it('reports acknowledgement times per ordering site, matching the stored timestamps', async () => {
    // The other clinic orders too, and acknowledges its own alert.
    const otherOrder = await order(server, sites, 'lab-k-other', { requester: sites.otherRole, patient: OTHER_PATIENT, code: '2823-3', display: 'Potassium' });
    const created = await call(server.base, 'POST', 'Observation', potassium(otherOrder, 'HH', 'final', OTHER_PATIENT), as('county-lab'));
    const otherAlert = (await alertOf(`Observation/${created.body.id as string}`)) as Communication;
    expect(otherAlert.recipient?.[0]?.reference).toBe(OTHER);
    const ack = await call(server.base, 'POST', `Communication/${otherAlert.id as string}/$acknowledge`, { resourceType: 'Parameters', parameter: [{ name: 'contact', valueString: '13700001111' }] }, as('other-doctor'));
    expect(ack.status).toBe(200);

    // The notify module replaces `sent` by the time it reached someone: let it finish before comparing.
    const listAlerts = async () => entries<Communication>(await call(server.base, 'GET', `Communication?category=${encodeURIComponent(`${CV}|critical-value`)}&status:not=entered-in-error&_count=100`, undefined, as('county-lab')));
    await eventually(async () => (await listAlerts()).every((a) => a.status !== 'in-progress'), 15_000).catch(() => undefined);
    const alerts = await listAlerts();
    const expected = new Map<string, { published: number; times: number[] }>();
    for (const a of alerts) {
      const site = a.recipient?.[0]?.reference as string;
      const e = expected.get(site) ?? { published: 0, times: [] };
      expected.set(site, e);
      e.published += 1;
      const time = ackPart(a, 'time')?.valueDateTime;
      if (time) e.times.push((Date.parse(time) - Date.parse(a.sent as string)) / 1000);
    }
    expect([...expected.keys()].sort()).toEqual([OTHER, CLINIC].sort());

    const stats = await call(server.base, 'GET', 'Communication/$critical-value-stats?period=all', undefined, as('county-lab'));
    expect(stats.status).toBe(200);
    const rows = part(stats.body as Parameters, 'site');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const value = (name: string) => row.part?.find((p) => p.name === name);
      const site = value('organization')?.valueReference?.reference as string;
      const e = expected.get(site) as { published: number; times: number[] };
      expect(value('published')?.valueInteger).toBe(e.published);
      expect(value('acknowledged')?.valueInteger).toBe(e.times.length);
      expect(value('overdue')?.valueInteger).toBe(0);
      const sorted = [...e.times].sort((a, b) => a - b);
      expect(value('ack-seconds-max')?.valueDecimal).toBeCloseTo(sorted[sorted.length - 1] as number, 2);
      expect(value('ack-seconds-median')?.valueDecimal).toBeCloseTo(sorted[Math.ceil(sorted.length / 2) - 1] as number, 2);
    }
    expect(part(stats.body as Parameters, 'site').map((r) => r.part?.find((p) => p.name === 'organization')?.valueReference?.reference)).not.toContain(COUNTY);

    const oneSite = await call(server.base, 'GET', `Communication/$critical-value-stats?site=${OTHER}&period=day`, undefined, as('county-lab'));
    expect(part(oneSite.body as Parameters, 'site')).toHaveLength(1);
    expect(part(oneSite.body as Parameters, 'site')[0]?.part?.find((p) => p.name === 'period')?.valueString).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const bad = await call(server.base, 'GET', 'Communication/$critical-value-stats?from=yesterday', undefined, as('county-lab'));
    expect(bad.status).toBe(400);
    expect(firstIssue(bad).expression).toEqual(["Parameters.parameter.where(name = 'from')"]);
  });
});
