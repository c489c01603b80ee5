import { jest } from '@jest/globals';
import { BACKENDS } from '../../support/test-server.js';
import { useAuthServer } from '../../support/auth.js';
import { call } from '../../support/http.js';
import { COUNTY, REFERRAL_USERS, setUp, STATUS_SYSTEM, TOWN, type Actors } from './fixtures.js';
import { publishSlots, upwardLoop } from './loop.js';

jest.setTimeout(180_000);

const STEP = 'https://qiao.health/fhir/StructureDefinition/referral-step';

describe.each(BACKENDS)('two-way referral, the upward loop to closed (%s, auth on, QIAO_CROSS_ORG=shared-only)', (backend) => {
  const server = useAuthServer(backend, { config: { crossOrg: 'shared-only' }, users: REFERRAL_USERS });
  let a: Actors;
  beforeAll(async () => {
    a = await setUp(server);
  });

  it('runs submit → applicant approval → receiver approval → scheduled on a quota slot → received → feedback → closed', async () => {
    const [slot] = await publishSlots(server, a.practitioner['county-doctor'] as string, 1, true);
    const loop = await upwardLoop(server, a, slot as string);
    expect(loop.statuses).toEqual(['awaiting-applicant-approval', 'awaiting-receiver-approval', 'awaiting-scheduling', 'scheduled', 'received', 'feedback-sent', 'closed']);
    expect(loop.taskStatuses).toEqual(['requested', 'received', 'accepted', 'ready', 'in-progress', 'in-progress', 'completed']);
    const task = (await call(server.base, 'GET', loop.task, undefined, a.town)).body;
    // Every step recorded by the server, the draft's creation first: status, action, time, actor and organisation, and the contact given.
    const steps = (task.extension as { url: string; extension: { url: string; [k: string]: unknown }[] }[]).filter((e) => e.url === STEP);
    expect(steps.map((s) => (s.extension.find((x) => x.url === 'status')?.valueCoding as { code: string }).code)).toEqual(['draft', ...loop.statuses]);
    expect(steps.map((s) => (s.extension.find((x) => x.url === 'actor')?.valueReference as { reference: string }).reference)).toEqual([
      a.practitioner['town-doctor'], a.practitioner['town-doctor'], a.practitioner['town-approver'], a.practitioner['county-approver'], a.practitioner['county-approver'],
      a.practitioner['county-doctor'], a.practitioner['county-doctor'], a.practitioner['town-doctor'],
    ]);
    expect(steps.map((s) => s.extension.find((x) => x.url === 'organization')?.valueReference)).toEqual(
      [TOWN, TOWN, TOWN, COUNTY, COUNTY, COUNTY, COUNTY, TOWN].map((reference) => ({ reference })),
    );
    expect(steps[1]?.extension.find((x) => x.url === 'contact')?.valueContactPoint).toEqual({ system: 'phone', value: '0791-85700001' });
    const times = steps.map((s) => Date.parse(s.extension.find((x) => x.url === 'time')?.valueDateTime as string));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(task.executionPeriod.start).toBeDefined();
    expect(task.executionPeriod.end).toBeDefined();
    expect(task.businessStatus.coding[0]).toEqual({ system: STATUS_SYSTEM, code: 'closed', display: '已结案' });
    expect((await call(server.base, 'GET', loop.request, undefined, a.town)).body.status).toBe('completed');
    const slotNow = (await call(server.base, 'GET', slot as string, undefined, a.county)).body;
    expect(slotNow.status).toBe('busy');
    const appointments = (await call(server.base, 'GET', `Appointment?slot=${slot as string}`, undefined, a.county)).body;
    expect(appointments.entry.map((e: { resource: { status: string; basedOn: { reference: string }[] } }) => [e.resource.status, e.resource.basedOn[0]?.reference])).toEqual([['booked', loop.request]]);
    // People were notified at each step that has recipients: approvers, doctors, the patient.
    const notes = (await call(server.base, 'GET', `Communication?subject=${loop.patient}&category=http://snomed.info/sct|3457005&_count=50`, undefined, a.town)).body;
    expect(notes.entry.every((e: { resource: { about: { reference: string }[] } }) => e.resource.about[0]?.reference === loop.request)).toBe(true);
    const recipients = new Set(notes.entry.flatMap((e: { resource: { recipient: { reference: string }[] } }) => e.resource.recipient.map((r) => r.reference)));
    for (const who of [a.practitioner['town-approver'], a.practitioner['county-approver'], a.practitioner['town-doctor'], a.practitioner['county-doctor'], loop.patient]) expect(recipients).toContain(who);
  });
});
