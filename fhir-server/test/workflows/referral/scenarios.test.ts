import { jest } from '@jest/globals';
import { Client } from 'fhir-kit-client';
import { useAuthServer } from '../../support/auth.js';
import { call, firstIssue, type Reply } from '../../support/http.js';
import { COUNTY, must, organisation, OTHER, patientWithRecord, refer, REFERRAL_USERS, setUp, statusOf, step, STATUS_SYSTEM, TOWN, type Actors, type Headers } from './fixtures.js';
import { publishSlots, upwardLoop } from './loop.js';

jest.setTimeout(180_000);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every referral this file makes, with how it ended, so the statistics can be checked against what happened. */
const made: { direction: 'up' | 'down'; from: string; to: string; end: string; type: string }[] = [];

describe('two-way referral scenarios (PostgreSQL, auth on, QIAO_CROSS_ORG=shared-only)', () => {
  const server = useAuthServer('postgres', { config: { crossOrg: 'shared-only' }, users: REFERRAL_USERS });
  let a: Actors;
  let quota: string[];
  let online: string[];
  beforeAll(async () => {
    a = await setUp(server);
    quota = await publishSlots(server, a.practitioner['county-doctor'] as string, 4, true);
    online = await publishSlots(server, a.practitioner['county-doctor'] as string, 3, false);
  });

  /** A new upward referral (township → county) moved to `until` through `$transition`. */
  async function upTo(until: 'awaiting-receiver-approval' | 'awaiting-scheduling' | 'draft'): Promise<{ request: string; task: string; record: Awaited<ReturnType<typeof patientWithRecord>> }> {
    const record = await patientWithRecord(server.base, a.town, TOWN);
    const ids = await refer(server.base, a.town, { patient: record.patient, doctor: a.practitioner['town-doctor'] as string, from: TOWN, to: COUNTY, type: 'examination', reason: '冠脉CTA检查', supportingInfo: [record.condition, record.lab] });
    if (until !== 'draft') {
      await must(step(server.base, a.town, ids.task, { action: 'submit' }), [200]);
      await must(step(server.base, a.townApprover, ids.task, { action: 'approve' }), [200]);
    }
    if (until === 'awaiting-scheduling') await must(step(server.base, a.countyApprover, ids.task, { action: 'approve' }), [200]);
    return { ...ids, record };
  }

  const read = async (ref: string, who: Headers = a.town): Promise<Json> => (await must(call(server.base, 'GET', ref, undefined, who))).body;

  it('the full upward loop ends closed; its numbers are counted', async () => {
    const loop = await upwardLoop(server, a, quota[0] as string);
    expect(loop.statuses.at(-1)).toBe('closed');
    made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'closed', type: 'outpatient' });
  });

  it('the receiving clinician reads the referral and exactly what travels with it, not the rest of the record; others read none of it', async () => {
    const { request, task, record } = await upTo('awaiting-receiver-approval');
    made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'awaiting-receiver-approval', type: 'examination' });
    for (const ref of [request, record.patient, record.condition, record.lab, task]) expect((await call(server.base, 'GET', ref, undefined, a.county)).status).toBe(200);
    expect((await call(server.base, 'GET', record.otherLab, undefined, a.county)).status).toBe(404);
    const labs = await call(server.base, 'GET', `Observation?subject=${record.patient}&_total=accurate`, undefined, a.county);
    expect(labs.body.total).toBe(1);
    expect(labs.body.entry[0].resource.id).toBe(record.lab.split('/')[1]);
    // A clinician of an organisation the referral does not go to sees nothing of the patient.
    for (const ref of [request, record.patient, record.condition, record.lab]) expect((await call(server.base, 'GET', ref, undefined, a.other)).status).toBe(404);
    // The applying organisation still sees everything of its patient.
    expect((await call(server.base, 'GET', record.otherLab, undefined, a.town)).status).toBe(200);
  });

  it('generates the 转诊(院)记录 (WS/T 483.20) with the CDA adapter, links it, and the receiving clinician reads it; $cda-validate accepts it', async () => {
    const { request, task, record } = await upTo('draft');
    const created = await call(server.base, 'POST', `${request}/$referral-document`, { resourceType: 'Parameters' }, a.town);
    if (created.status !== 201) throw new Error(created.text);
    const document = created.body;
    expect(document.type.coding[0]).toMatchObject({ code: 'EHR-SD-20', display: '转诊(院)记录' });
    expect((await read(request)).supportingInfo.map((s: Json) => s.reference)).toEqual([record.condition, record.lab, `DocumentReference/${document.id as string}`]);
    // What travels is shared once the referral is sent, not while it is a draft.
    const documentRef = `DocumentReference/${document.id as string}`;
    for (const ref of [documentRef, record.condition, record.patient]) expect((await call(server.base, 'GET', ref, undefined, a.county)).status).toBe(404);
    await must(step(server.base, a.town, task, { action: 'submit' }), [200]);
    made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'awaiting-applicant-approval', type: 'examination' });
    for (const ref of [documentRef, record.condition, record.patient]) expect((await call(server.base, 'GET', ref, undefined, a.county)).status).toBe(200);
    const binary = await read(document.content[0].attachment.url, a.county);
    const xml = Buffer.from(binary.data as string, 'base64').toString('utf8');
    expect(xml).toContain('转诊原因');
    expect(xml).toContain('冠脉CTA检查');
    expect(xml).toContain('南昌县人民医院');
    expect(xml).toContain('I10.x00');
    const validated = await call(server.base, 'POST', '$cda-validate', xml, { ...a.town, 'content-type': 'application/hl7-cda+xml' });
    expect(validated.status).toBe(200);
    expect(validated.body.issue.filter((i: Json) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
  });

  it('refuses an illegal transition with the allowed next states, in both languages, naming Task.businessStatus', async () => {
    const { task } = await upTo('draft');
    const current = await read(task);
    const jump = await call(server.base, 'PUT', task, { ...current, status: 'completed', businessStatus: { coding: [{ system: STATUS_SYSTEM, code: 'closed' }] } }, a.town);
    expect(jump.status).toBe(409);
    const issue = firstIssue(jump);
    expect(issue.expression).toEqual(['Task.businessStatus']);
    expect(issue.details.text).toBe('转诊不能从「草稿」变为「已结案」；允许的下一状态：待转出方审核（awaiting-applicant-approval）、已撤销（cancelled） | A referral cannot move from "draft" to "closed"; allowed next states: awaiting-applicant-approval, cancelled');
    const wrongAction = await step(server.base, a.town, task, { action: 'receive' });
    expect(wrongAction.status).toBe(409);
    expect(firstIssue(wrongAction).expression).toEqual(['Task.businessStatus']);
    // Task.status must be the one the business status means.
    const mismatch = await call(server.base, 'PUT', task, { ...current, status: 'draft', businessStatus: { coding: [{ system: STATUS_SYSTEM, code: 'awaiting-applicant-approval' }] } }, a.town);
    expect(mismatch.status).toBe(422);
    expect(firstIssue(mismatch).expression).toEqual(['Task.status']);
    // The parties are fixed.
    const moved = await call(server.base, 'PUT', task, { ...current, owner: { reference: OTHER } }, a.town);
    expect(moved.status).toBe(422);
    expect(firstIssue(moved).expression).toEqual(['Task.owner']);
    // Each step belongs to one side: the receiving hospital cannot submit or approve for the township.
    expect((await step(server.base, a.county, task, { action: 'submit' })).status).toBe(403);
    await must(step(server.base, a.town, task, { action: 'submit' }), [200]);
    const approveBySomeoneElse = await step(server.base, a.countyApprover, task, { action: 'approve' });
    expect(approveBySomeoneElse.status).toBe(403);
    expect(firstIssue(approveBySomeoneElse).details.text).toContain('只有转出（申请）方机构的人员可以执行「审核通过」');
    // An organisation the referral is not between does not even see it.
    expect((await step(server.base, a.other, task, { action: 'cancel' })).status).toBe(404);
    expect(statusOf(await read(task))).toBe('awaiting-applicant-approval');
    made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'awaiting-applicant-approval', type: 'examination' });
  });

  it('a refusal ends the referral (Task rejected, request revoked, reason kept) and nothing follows it', async () => {
    const { task, request } = await upTo('awaiting-receiver-approval');
    const refused = await must(step(server.base, a.countyApprover, task, { action: 'refuse', reason: '本院心内科床位已满，建议转市级医院' }), [200]);
    expect([statusOf(refused.body), refused.body.status, refused.body.statusReason.text]).toEqual(['refused', 'rejected', '本院心内科床位已满，建议转市级医院']);
    expect((await read(request)).status).toBe('revoked');
    const after = await step(server.base, a.town, task, { action: 'cancel' });
    expect(after.status).toBe(409);
    expect(firstIssue(after).details.text).toContain('allowed next states: —');
    made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'refused', type: 'examination' });
  });

  it('a cancellation after scheduling gives the booking back: appointment cancelled, slot free again', async () => {
    const { task, request } = await upTo('awaiting-scheduling');
    const scheduled = await must(step(server.base, a.countyApprover, task, { action: 'schedule', slot: online[0] as string }), [200]);
    const appointment = scheduled.body.output[0].valueReference.reference as string;
    expect((await read(online[0] as string, a.county)).status).toBe('busy');
    expect((await step(server.base, a.county, task, { action: 'cancel' })).status).toBe(403);
    const cancelled = await must(step(server.base, a.town, task, { action: 'cancel', reason: '患者要求就近治疗' }), [200]);
    expect([statusOf(cancelled.body), cancelled.body.status]).toEqual(['cancelled', 'cancelled']);
    expect((await read(appointment, a.county)).status).toBe('cancelled');
    expect((await read(online[0] as string, a.county)).status).toBe('free');
    expect((await read(request)).status).toBe('revoked');
    made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'cancelled', type: 'examination' });
  });

  it('booking and scheduling succeed or fail together: a taken slot fails the step and writes nothing; a quota slot is for referrals only', async () => {
    const first = await upTo('awaiting-scheduling');
    const second = await upTo('awaiting-scheduling');
    made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'scheduled', type: 'examination' }, { direction: 'up', from: TOWN, to: COUNTY, end: 'awaiting-scheduling', type: 'examination' });
    await must(step(server.base, a.countyApprover, first.task, { action: 'schedule', slot: quota[1] as string }), [200]);
    const appointmentsBefore = (await call(server.base, 'GET', 'Appointment?_summary=count', undefined, a.county)).body.total;
    const taken = await step(server.base, a.countyApprover, second.task, { action: 'schedule', slot: quota[1] as string });
    expect(taken.status).toBe(409);
    expect(firstIssue(taken).expression).toEqual(['Appointment.slot[0]']);
    expect(firstIssue(taken).details.text).toContain('已被占用');
    const secondTask = await read(second.task);
    expect([statusOf(secondTask), secondTask.output]).toEqual(['awaiting-scheduling', undefined]);
    expect((await call(server.base, 'GET', 'Appointment?_summary=count', undefined, a.county)).body.total).toBe(appointmentsBefore);
    // The same with plain REST: one transaction with the booking and the step; the refused booking takes the step with it.
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:8a1f0000-0000-4000-8000-000000000001', resource: { resourceType: 'Appointment', status: 'booked', basedOn: [{ reference: second.request }], slot: [{ reference: quota[1] }], start: '2026-12-10T02:00:00Z', end: '2026-12-10T02:30:00Z', participant: [{ actor: { reference: second.record.patient }, status: 'accepted' }] }, request: { method: 'POST', url: 'Appointment' } },
        { resource: { ...secondTask, status: 'ready', businessStatus: { coding: [{ system: STATUS_SYSTEM, code: 'scheduled' }] }, output: [{ type: { text: 'appointment' }, valueReference: { reference: 'urn:uuid:8a1f0000-0000-4000-8000-000000000001' } }] }, request: { method: 'PUT', url: second.task } },
      ],
    };
    expect((await call(server.base, 'POST', '', bundle, a.countyApprover)).status).toBe(409);
    expect(statusOf(await read(second.task))).toBe('awaiting-scheduling');
    // Scheduling without a booking is refused too.
    const { output: _none, ...bare } = secondTask;
    const unbooked = await call(server.base, 'PUT', second.task, { ...bare, status: 'ready', businessStatus: { coding: [{ system: STATUS_SYSTEM, code: 'scheduled' }] } }, a.countyApprover);
    expect([unbooked.status, firstIssue(unbooked).expression]).toEqual([422, ['Task.output']]);
    // A quota slot (绿色通道) cannot be taken by an ordinary appointment.
    const ordinary = await call(server.base, 'POST', 'Appointment', { resourceType: 'Appointment', status: 'booked', slot: [{ reference: quota[2] }], start: '2026-12-10T03:00:00Z', end: '2026-12-10T03:30:00Z', participant: [{ actor: { reference: a.practitioner['county-doctor'] }, status: 'accepted' }] }, a.county);
    expect([ordinary.status, firstIssue(ordinary).expression]).toEqual([409, ['Appointment.slot[0]']]);
  });

  it('approvals switched off per organisation are passed through, and the receiving organisation\'s booking modes are enforced', async () => {
    const set = (id: string, name: string, level: string, settings: Parameters<typeof organisation>[3]) => must(call(server.base, 'PUT', `Organization/${id}`, organisation(id, name, level, settings), a.admin));
    await set('town', '南昌县向塘镇卫生院', 'primary', { outgoingApproval: false, contacts: [a.practitioner['town-approver'] as string] });
    await set('county', '南昌县人民医院', 'secondary', { incomingApproval: false, modes: ['quota'], contacts: [a.practitioner['county-approver'] as string] });
    try {
      const { task } = await upTo('draft');
      const current = await read(task);
      const viaApproval = await call(server.base, 'PUT', task, { ...current, status: 'requested', businessStatus: { coding: [{ system: STATUS_SYSTEM, code: 'awaiting-applicant-approval' }] } }, a.town);
      expect(viaApproval.status).toBe(409);
      expect(firstIssue(viaApproval).diagnostics).toBe('A referral cannot move from "draft" to "awaiting-applicant-approval"; allowed next states: awaiting-scheduling, cancelled');
      const submitted = await must(step(server.base, a.town, task, { action: 'submit' }), [200]);
      expect([statusOf(submitted.body), submitted.body.status]).toEqual(['awaiting-scheduling', 'accepted']);
      const onlineRefused = await step(server.base, a.countyApprover, task, { action: 'schedule', slot: online[1] as string });
      expect(onlineRefused.status).toBe(422);
      expect(firstIssue(onlineRefused).details.text).toContain('接收机构未开通在线预约模式');
      expect((await read(online[1] as string, a.county)).status).toBe('free');
      await must(step(server.base, a.countyApprover, task, { action: 'schedule', slot: quota[3] as string }), [200]);
      made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'scheduled', type: 'examination' });
    } finally {
      await set('town', '南昌县向塘镇卫生院', 'primary', { contacts: [a.practitioner['town-approver'] as string] });
      await set('county', '南昌县人民医院', 'secondary', { contacts: [a.practitioner['county-approver'] as string] });
    }
  });

  it('returns a patient: the county sends feedback and refers back down (plain REST through fhir-kit-client), the township receives and closes', async () => {
    // Up to feedback, then the return referral.
    const { task, record } = await upTo('awaiting-scheduling');
    await must(step(server.base, a.countyApprover, task, { action: 'schedule', start: '2026-12-11T01:00:00Z', end: '2026-12-18T01:00:00Z', practitioner: a.practitioner['county-doctor'] as string }), [200]);
    await must(step(server.base, a.county, task, { action: 'receive' }), [200]);
    await must(step(server.base, a.county, task, { action: 'feedback', note: 'PCI术后病情稳定，转回基层康复' }), [200]);
    const client = (who: Headers) => new Client({ baseUrl: server.base, customHeaders: who });
    const county = client(a.county);
    const down = (await county.transaction({
      body: (await import('./fixtures.js')).referralBundle({ patient: record.patient, doctor: a.practitioner['county-doctor'] as string, from: COUNTY, to: TOWN, type: 'inpatient', reason: 'PCI术后康复及随访', supportingInfo: [record.condition] }) as never,
    })) as unknown as Json;
    const [downRequest, downTask] = down.entry.map((e: Json) => (e.response.location as string).split('/_history')[0]);
    const returned = await must(step(server.base, a.county, task, { action: 'return', returnReferral: downRequest }), [200]);
    expect([statusOf(returned.body), returned.body.status, returned.body.output.at(-1).valueReference.reference]).toEqual(['returned', 'completed', downRequest]);
    made.push({ direction: 'up', from: TOWN, to: COUNTY, end: 'returned', type: 'examination' });

    // The downward referral, each step a plain update of the Task by whoever's step it is.
    const move = async (who: Headers, code: string, status: string, extra: Json = {}) => {
      const c = client(who);
      const current = (await c.read({ resourceType: 'Task', id: (downTask as string).split('/')[1] as string })) as unknown as Json;
      return (await c.update({ resourceType: 'Task', id: current.id, body: { ...current, ...extra, status, businessStatus: { coding: [{ system: STATUS_SYSTEM, code }] } } as never })) as unknown as Json;
    };
    await move(a.county, 'awaiting-applicant-approval', 'requested');
    await move(a.countyApprover, 'awaiting-receiver-approval', 'received');
    await move(a.townApprover, 'awaiting-scheduling', 'accepted');
    const refusedByWrongSide = await move(a.county, 'scheduled', 'ready').catch((e: { response: { status: number } }) => e.response.status);
    expect(refusedByWrongSide).toBe(403);
    // The township books a bed day for the patient (an appointment without a slot) and schedules in one transaction.
    const town = client(a.townApprover);
    const current = (await town.read({ resourceType: 'Task', id: (downTask as string).split('/')[1] as string })) as unknown as Json;
    await town.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:8a1f0000-0000-4000-8000-0000000000a1', resource: { resourceType: 'Appointment', status: 'booked', basedOn: [{ reference: downRequest }], start: '2026-12-18T02:00:00Z', end: '2026-12-18T03:00:00Z', participant: [{ actor: { reference: record.patient }, status: 'accepted' }, { actor: { reference: a.practitioner['town-doctor'] }, status: 'accepted' }] }, request: { method: 'POST', url: 'Appointment' } },
          { resource: { ...current, status: 'ready', businessStatus: { coding: [{ system: STATUS_SYSTEM, code: 'scheduled' }] }, output: [{ type: { text: 'appointment' }, valueReference: { reference: 'urn:uuid:8a1f0000-0000-4000-8000-0000000000a1' } }] }, request: { method: 'PUT', url: downTask } },
        ],
      } as never,
    });
    await move(a.town, 'received', 'in-progress');
    await move(a.town, 'feedback-sent', 'in-progress');
    const closed = await move(a.county, 'closed', 'completed');
    expect(statusOf(closed)).toBe('closed');
    made.push({ direction: 'down', from: COUNTY, to: TOWN, end: 'closed', type: 'inpatient' });
  });

  it('counts referrals up and down, in and out per organisation, by type, doctor and month, and the closed-loop rate, as a MeasureReport', async () => {
    const reply = await must(call(server.base, 'GET', 'Task/$referral-stats', undefined, a.town), [200]);
    const report = reply.body;
    expect(report.resourceType).toBe('MeasureReport');
    const count = (p: Json[], code: string) => p.find((x) => x.code.coding[0].code === code)?.count;
    const group = report.group[0];
    const loops = made.filter((m) => m.end === 'closed' || m.end === 'returned').length;
    expect([count(group.population, 'denominator'), count(group.population, 'numerator')]).toEqual([made.length, loops]);
    expect(group.measureScore.value).toBeCloseTo(loops / made.length, 4);
    const strata = (code: string) => Object.fromEntries(group.stratifier.find((s: Json) => s.code[0].coding[0].code === code).stratum.map((s: Json) => [s.value?.text ?? s.component.map((c: Json) => c.value.text).join(' '), count(s.population, 'initial-population')]));
    const tally = (key: (m: (typeof made)[number]) => string) => made.reduce<Record<string, number>>((acc, m) => ({ ...acc, [key(m)]: (acc[key(m)] ?? 0) + 1 }), {});
    expect(strata('direction')).toEqual(tally((m) => m.direction));
    expect(strata('type')).toEqual(tally((m) => m.type));
    expect(strata('out-organization')).toEqual(tally((m) => m.from));
    expect(strata('in-organization')).toEqual(tally((m) => m.to));
    expect(strata('out-organization-direction')).toEqual(tally((m) => `${m.from} ${m.direction}`));
    expect(strata('status')).toEqual(tally((m) => m.end));
    expect(Object.values(strata('doctor')).reduce((x, y) => (x as number) + (y as number), 0)).toBe(made.length);
    expect(strata('doctor')[a.practitioner['county-doctor'] as string]).toBe(1);
    // A period before any referral counts none.
    const empty = (await must(call(server.base, 'GET', 'Task/$referral-stats?to=2020-01-01', undefined, a.town), [200])).body;
    expect(count(empty.group[0].population, 'denominator')).toBe(0);
    const bad: Reply = await call(server.base, 'GET', "Task/$referral-stats?from=2020'--", undefined, a.town);
    expect([bad.status, firstIssue(bad).expression]).toEqual([400, ['Parameters.parameter.from']]);
  });
});
