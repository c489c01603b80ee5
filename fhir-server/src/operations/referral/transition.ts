import type { Appointment, AppointmentParticipant, Encounter, Extension, ServiceRequest, Slot, Task, TaskOutput } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { ACTIONS, stateOf, transitionsFrom, type Action, type StateRow } from '../../workflows/referral/machine.js';
import { approvalsOf, businessStatusOf, illegal, isReferralTask, requireSide } from '../../workflows/referral/rule.js';
import { STATUS_SYSTEM, STEP_EXTENSION, TYPE_SYSTEM } from '../../workflows/referral/vocabulary.js';
import { etag, param, referenceParam, run } from './io.js';

/** What a referral's own ServiceRequest becomes when the referral enters a state. */
const REQUEST_STATUS: Partial<Record<string, ServiceRequest['status']>> = {
  refused: 'revoked',
  cancelled: 'revoked',
  returned: 'completed',
  closed: 'completed',
};

const OUTPUT = {
  appointment: { text: '接诊预约 | Appointment' },
  feedback: { text: '诊疗结果反馈 | Feedback' },
  'return-referral': { text: '转回申请 | Return referral' },
  encounter: { text: '接诊就诊 | Encounter at the receiving organisation' },
};

/** The encounter class of a referral's reception: an inpatient referral is admitted, the others seen as outpatients. */
const ENCOUNTER_CLASS = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/**
 * Reception (接诊): the patient enters the receiving organisation's care — an Encounter there, based
 * on the referral (or the one the `encounter` parameter names). From then on the receiving
 * organisation treats the patient, which is also what opens the whole record to it under
 * `QIAO_CROSS_ORG=shared-only`.
 */
async function receive(ctx: Context, q: Queryable, req: FhirRequest, task: Task, request: ServiceRequest): Promise<TaskOutput> {
  const given = referenceParam(req, 'encounter', 'Encounter');
  if (given) return { type: OUTPUT.encounter, valueReference: { reference: given } };
  const inpatient = request.code?.coding?.some((c) => c.system === TYPE_SYSTEM && c.code === 'inpatient');
  const appointment = task.output?.find((o) => o.valueReference?.reference?.startsWith('Appointment/'))?.valueReference;
  const encounter: Encounter = {
    resourceType: 'Encounter',
    status: inpatient ? 'in-progress' : 'arrived',
    class: { system: ENCOUNTER_CLASS, code: inpatient ? 'IMP' : 'AMB', display: inpatient ? 'inpatient encounter' : 'ambulatory' },
    subject: { reference: task.for?.reference as string },
    basedOn: [{ reference: task.basedOn?.[0]?.reference as string }],
    ...(appointment ? { appointment: [{ reference: appointment.reference as string }] } : {}),
    serviceProvider: { reference: task.owner?.reference as string },
    period: { start: new Date().toISOString() },
  };
  const created = await run(ctx, q, req, 'POST', 'Encounter', encounter);
  return { type: OUTPUT.encounter, valueReference: { reference: `Encounter/${String(created.resource.id)}` } };
}

function actionParam(req: FhirRequest): Action {
  const action = param(req, 'action');
  if (!action || !(action in ACTIONS)) {
    const known = Object.keys(ACTIONS).join(', ');
    throw new FhirError('referral.parameter-invalid', { name: 'action', zh: `应为 ${known} 之一：${action ?? '（无）'}`, en: `one of ${known} is required: ${action ?? '(none)'}` }, 'Parameters.parameter.action');
  }
  return action as Action;
}

/**
 * The booking of `schedule`: an Appointment for the referral on the receiving organisation's slot
 * (its quota slot, or any free slot when it books online) and the slot marked busy — in the
 * transaction of the step, so a taken slot fails the step and a refused step books nothing.
 */
async function book(ctx: Context, q: Queryable, req: FhirRequest, task: Task): Promise<TaskOutput> {
  const slotRef = referenceParam(req, 'slot', 'Slot');
  const practitioner = param(req, 'practitioner');
  const location = referenceParam(req, 'location', 'Location');
  const participant: AppointmentParticipant[] = [
    { actor: { reference: task.for?.reference as string }, status: 'accepted' },
    ...(practitioner ? [{ actor: { reference: practitioner }, status: 'accepted' as const }] : []),
    ...(location ? [{ actor: { reference: location }, status: 'accepted' as const }] : []),
  ];
  let slot: Slot | undefined;
  if (slotRef) slot = (await run<Slot>(ctx, q, req, 'GET', slotRef)).resource;
  const start = slot?.start ?? param(req, 'start');
  const end = slot?.end ?? param(req, 'end');
  if (!start || !end) {
    throw new FhirError('referral.parameter-invalid', { name: 'slot', zh: '安排接诊需要号源（slot）或计划时间（start、end）', en: 'scheduling needs a slot, or a planned start and end' }, 'Parameters.parameter.slot');
  }
  const appointment: Appointment = {
    resourceType: 'Appointment',
    status: 'booked',
    basedOn: [{ reference: task.basedOn?.[0]?.reference as string }],
    start,
    end,
    ...(slotRef ? { slot: [{ reference: slotRef }] } : {}),
    participant,
  };
  const created = await run(ctx, q, req, 'POST', 'Appointment', appointment);
  if (slot) await run(ctx, q, req, 'PUT', slotRef as string, { ...slot, status: 'busy' }, etag(slot));
  return { type: OUTPUT.appointment, valueReference: { reference: `Appointment/${String(created.resource.id)}` } };
}

/** A cancelled referral gives its booking back: the appointment cancelled, its slots free again. */
async function release(ctx: Context, q: Queryable, req: FhirRequest, task: Task): Promise<void> {
  for (const o of task.output ?? []) {
    const ref = o.valueReference?.reference;
    if (!ref?.startsWith('Appointment/')) continue;
    const appointment = (await run<Appointment>(ctx, q, req, 'GET', ref)).resource;
    if (appointment.status === 'cancelled') continue;
    await run(ctx, q, req, 'PUT', ref, { ...appointment, status: 'cancelled' }, etag(appointment));
    for (const s of appointment.slot ?? []) {
      const slot = (await run<Slot>(ctx, q, req, 'GET', s.reference as string)).resource;
      if (slot.status === 'busy') await run(ctx, q, req, 'PUT', s.reference as string, { ...slot, status: 'free' }, etag(slot));
    }
  }
}

function outputsFor(req: FhirRequest, action: Action): TaskOutput[] {
  if (action === 'feedback') {
    const ref = param(req, 'output');
    const note = param(req, 'note');
    return [...(ref ? [{ type: OUTPUT.feedback, valueReference: { reference: ref } }] : []), ...(note ? [{ type: OUTPUT.feedback, valueString: note }] : [])];
  }
  if (action === 'return') {
    const ref = referenceParam(req, 'returnReferral', 'ServiceRequest');
    return ref ? [{ type: OUTPUT['return-referral'], valueReference: { reference: ref } }] : [];
  }
  return [];
}

/**
 * `POST [base]/Task/{id}/$transition` (action, reason?, contact?, and for `schedule` slot or
 * start/end, practitioner?, location?; for `receive` encounter?; for `feedback` output?/note?; for `return`
 * returnReferral?): one step of a referral as a single transaction — the Task update (checked by
 * the state machine's write rule like any other write), the booking or its release, and the
 * ServiceRequest's status. Answers the updated Task.
 */
export async function transition(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const action = actionParam(req);
  const current = (await run<Task>(ctx, q, req, 'GET', `Task/${path.id as string}`)).resource;
  if (!isReferralTask(current)) {
    throw new FhirError('referral.parameter-invalid', { name: 'Task', zh: '不是转诊任务（Task.code 应为 SNOMED CT 3457005）', en: 'not a referral Task (Task.code must be SNOMED CT 3457005)' }, 'Task.code');
  }
  const from = businessStatusOf(current) as string;
  const options = transitionsFrom(from, await approvalsOf(ctx, q, current));
  const step = options.find((t) => t.action === action);
  if (!step) throw illegal(from, `${action}`, options.map((t) => t.to));
  requireSide(req.principal, current, step.side, step.action);
  const state = stateOf(step.to) as StateRow;
  const reason = param(req, 'reason');
  const contact = param(req, 'contact');
  const given: Extension[] = [...(contact ? [{ url: 'contact', valueContactPoint: { system: 'phone' as const, value: contact } }] : []), ...(reason ? [{ url: 'reason', valueString: reason }] : [])];
  const next: Task = {
    ...current,
    status: state.taskStatus,
    businessStatus: { coding: [{ system: STATUS_SYSTEM, code: state.code }] },
    ...(reason && (action === 'refuse' || action === 'cancel') ? { statusReason: { text: reason } } : {}),
    extension: [...(current.extension ?? []), ...(given.length ? [{ url: STEP_EXTENSION, extension: given }] : [])],
  };
  const requestRef = current.basedOn?.[0]?.reference as string;
  const request = (await run<ServiceRequest>(ctx, q, req, 'GET', requestRef)).resource;
  const outputs = [
    ...(action === 'schedule' ? [await book(ctx, q, req, current)] : []),
    ...(action === 'receive' ? [await receive(ctx, q, req, current, request)] : []),
    ...outputsFor(req, action),
  ];
  if (outputs.length) next.output = [...(current.output ?? []), ...outputs];
  if (action === 'cancel') await release(ctx, q, req, current);
  const requestStatus = REQUEST_STATUS[state.code] ?? (request.status === 'draft' && state.code !== 'draft' ? 'active' : undefined);
  if (requestStatus && requestStatus !== request.status) await run(ctx, q, req, 'PUT', requestRef, { ...request, status: requestStatus }, etag(request));
  const updated = await run(ctx, q, req, 'PUT', `Task/${path.id as string}`, next, etag(current));
  return { ...updated.res, status: 200 };
}
