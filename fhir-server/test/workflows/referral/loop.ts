import { backendToken, bearer, type AuthTestServer } from '../../support/auth.js';
import { call } from '../../support/http.js';
import { COUNTY, must, patientWithRecord, refer, statusOf, step, TOWN, type Actors } from './fixtures.js';

/** The county hospital's appointment system (a backend client of its own) publishes a schedule with slots; their ids. */
export async function publishSlots(server: AuthTestServer, doctor: string, count: number, quota: boolean): Promise<string[]> {
  const { accessToken } = await backendToken(server, { scopes: 'system/Schedule.cruds system/Slot.cruds', organisation: COUNTY });
  const his = bearer(accessToken);
  const schedule = await must(call(server.base, 'POST', 'Schedule', { resourceType: 'Schedule', active: true, actor: [{ reference: doctor }], comment: '心内科门诊' }, his));
  const slots: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = new Date(Date.UTC(2026, 11, 10, 1 + i, 0, 0));
    const slot = await must(
      call(server.base, 'POST', 'Slot', {
        resourceType: 'Slot',
        schedule: { reference: `Schedule/${schedule.body.id as string}` },
        status: 'free',
        start: start.toISOString(),
        end: new Date(start.getTime() + 30 * 60_000).toISOString(),
        ...(quota ? { serviceCategory: [{ coding: [{ system: 'https://qiao.health/fhir/CodeSystem/referral-resource', code: 'quota' }] }] } : {}),
      }, his),
    );
    slots.push(`Slot/${slot.body.id as string}`);
  }
  return slots;
}

export interface LoopResult {
  patient: string;
  request: string;
  task: string;
  statuses: string[];
  taskStatuses: string[];
  feedback: string;
  otherLab: string;
  supporting: string[];
}

/**
 * The upward referral, township → county, every step by the person whose step it is, through
 * `$transition`: submit, both approvals, scheduling on a quota slot, reception, feedback, close.
 */
export async function upwardLoop(server: AuthTestServer, a: Actors, slot: string): Promise<LoopResult> {
  const record = await patientWithRecord(server.base, a.town, TOWN);
  const supporting = [record.condition, record.lab];
  const { request, task } = await refer(server.base, a.town, {
    patient: record.patient,
    doctor: a.practitioner['town-doctor'] as string,
    from: TOWN,
    to: COUNTY,
    type: 'outpatient',
    reason: '胸痛2小时，疑似急性心肌梗死，需上级医院进一步诊治',
    supportingInfo: supporting,
  });
  const statuses: string[] = [];
  const taskStatuses: string[] = [];
  const go = async (who: Actors[keyof Actors], values: Record<string, string>) => {
    const reply = await must(step(server.base, who as Record<string, string>, task, values), [200]);
    statuses.push(statusOf(reply.body) as string);
    taskStatuses.push(reply.body.status as string);
    return reply.body;
  };
  await go(a.town, { action: 'submit', contact: '0791-85700001' });
  await go(a.townApprover, { action: 'approve' });
  await go(a.countyApprover, { action: 'approve', contact: '0791-85700002' });
  await go(a.countyApprover, { action: 'schedule', slot, practitioner: a.practitioner['county-doctor'] as string });
  await go(a.county, { action: 'receive' });
  const report = await must(
    call(server.base, 'POST', 'DiagnosticReport', {
      resourceType: 'DiagnosticReport',
      status: 'final',
      basedOn: [{ reference: request }],
      code: { text: '转诊诊疗结果 | Referral outcome' },
      subject: { reference: record.patient },
      conclusion: '急性下壁心肌梗死，已行PCI，病情稳定',
    }, a.county),
  );
  const feedback = `DiagnosticReport/${report.body.id as string}`;
  await go(a.county, { action: 'feedback', output: feedback, note: '建议回基层康复随访' });
  await go(a.town, { action: 'close' });
  return { patient: record.patient, request, task, statuses, taskStatuses, feedback, otherLab: record.otherLab, supporting };
}
