import type { Appointment, Extension, Organization, Slot, Task } from '@medplum/fhirtypes';
import { isUnrestricted, type Principal } from '../../auth/principal.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { WriteRule } from '../../hooks/write-rules.js';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { ACTIONS, initialStates, stateOf, transitionsFrom, type Action, type Approvals, type Side, type StateRow } from './machine.js';
import { notifyStep } from './notify.js';
import { readLocal, settingsOf } from './organisation.js';
import { isQuotaSlot } from './slot-rule.js';
import { REFERRAL_CODE, RESOURCE_MODES, SNOMED, STATUS_SYSTEM, STEP_EXTENSION } from './vocabulary.js';

/** A referral Task: Task.code is SNOMED CT 3457005 "Patient referral". */
export function isReferralTask(task: Task | undefined): boolean {
  return !!task?.code?.coding?.some((c) => c.system === SNOMED && c.code === REFERRAL_CODE);
}

export function businessStatusOf(task: Task | undefined): string | undefined {
  return task?.businessStatus?.coding?.find((c) => c.system === STATUS_SYSTEM)?.code;
}

const SIDE_ZH: Record<Side, string> = { applicant: '转出（申请）方', receiver: '接收方' };
const SIDE_EN: Record<Side, string> = { applicant: 'applying', receiver: 'receiving' };

/** The parties a referral is between: fixed at creation, since they decide who may do what. */
const PARTIES = [
  { field: 'Task.basedOn', what: 'the referral ServiceRequest', whatZh: '转诊申请单 ServiceRequest', get: (t: Task) => t.basedOn?.[0]?.reference, pattern: /^ServiceRequest\// },
  { field: 'Task.for', what: 'the patient', whatZh: '患者', get: (t: Task) => t.for?.reference, pattern: /^Patient\// },
  { field: 'Task.requester', what: 'the applying organisation', whatZh: '转出机构', get: (t: Task) => t.requester?.reference, pattern: /^Organization\// },
  { field: 'Task.owner', what: 'the receiving organisation', whatZh: '接收机构', get: (t: Task) => t.owner?.reference, pattern: /^Organization\// },
] as const;

export async function approvalsOf(ctx: Context, q: Queryable, task: Task): Promise<Approvals> {
  const [applicant, receiver] = await Promise.all([
    readLocal<Organization>(ctx, q, task.requester, 'Organization'),
    readLocal<Organization>(ctx, q, task.owner, 'Organization'),
  ]);
  return { applicant: settingsOf(applicant).outgoingApproval, receiver: settingsOf(receiver).incomingApproval };
}

/** Which side of the referral the principal acts for; `any` for the server itself and development mode. */
function sidesOf(principal: Principal, task: Task): Set<Side | 'any'> {
  if (isUnrestricted(principal)) return new Set(['any']);
  const sides = new Set<Side | 'any'>();
  if (principal.organisation && principal.organisation === task.requester?.reference) sides.add('applicant');
  if (principal.organisation && principal.organisation === task.owner?.reference) sides.add('receiver');
  return sides;
}

export function requireSide(principal: Principal, task: Task, side: Side, action: Action): void {
  const sides = sidesOf(principal, task);
  if (sides.has('any') || sides.has(side)) return;
  throw new FhirError('referral.side-forbidden', { side: SIDE_EN[side], sideZh: SIDE_ZH[side], action: ACTIONS[action].en, actionZh: ACTIONS[action].zh }, 'Task.businessStatus');
}

export function illegal(from: string, to: string, allowed: readonly string[]): FhirError {
  const zh = (code: string) => stateOf(code)?.zh ?? code;
  const list = allowed.length ? allowed : ['—'];
  return new FhirError(
    'referral.transition-illegal',
    { from, to, fromZh: zh(from), toZh: zh(to), allowed: list.join(', '), allowedZh: list.map((c) => (c === '—' ? c : `${zh(c)}（${c}）`)).join('、') },
    'Task.businessStatus',
  );
}

function checkParties(task: Task, before: Task | undefined): void {
  for (const p of PARTIES) {
    const value = p.get(task);
    if (!value || !p.pattern.test(value)) throw new FhirError('referral.field-required', { field: p.field, what: p.what, whatZh: p.whatZh }, p.field);
    if (before && p.get(before) !== value) throw new FhirError('referral.field-immutable', { field: p.field }, p.field);
  }
  if (!businessStatusOf(task)) throw new FhirError('referral.field-required', { field: 'Task.businessStatus', what: `a code of ${STATUS_SYSTEM}`, whatZh: `${STATUS_SYSTEM} 中的状态代码` }, 'Task.businessStatus');
}

/** Scheduling is a booking: a booked Appointment for this referral in Task.output (written in the same transaction). */
async function checkBooking(ctx: Context, q: Queryable, task: Task): Promise<void> {
  const request = task.basedOn?.[0]?.reference;
  for (const o of task.output ?? []) {
    const appointment = await readLocal<Appointment>(ctx, q, o.valueReference, 'Appointment');
    if (appointment?.status !== 'booked' || !appointment.basedOn?.some((b) => b.reference === request)) continue;
    const modes = settingsOf(await readLocal<Organization>(ctx, q, task.owner, 'Organization')).modes;
    for (const ref of appointment.slot ?? []) {
      const slot = await readLocal<Slot>(ctx, q, ref, 'Slot');
      const mode = RESOURCE_MODES.find((m) => m.code === (slot && isQuotaSlot(slot) ? 'quota' : 'online')) as (typeof RESOURCE_MODES)[number];
      if (!modes.includes(mode.code)) throw new FhirError('referral.mode-not-offered', { mode: mode.en, modeZh: mode.zh }, 'Task.output');
    }
    return;
  }
  throw new FhirError('referral.appointment-required', {}, 'Task.output');
}

/**
 * The step just taken, recorded by the server: who (user and organisation), their contact as the
 * client gave it, when, and the reason. Earlier steps are kept as they were stored (a client
 * cannot rewrite them): the Task's own record of timeliness, beside its version history.
 */
function recordStep(task: Task, before: Task | undefined, state: StateRow, action: Action | undefined, principal: Principal, now: string): void {
  const isStep = (e: Extension) => e.url === STEP_EXTENSION;
  const given = (task.extension ?? []).filter(isStep).slice((before?.extension ?? []).filter(isStep).length);
  const part = (name: string) => given.flatMap((e) => e.extension ?? []).filter((x) => x.url === name).pop();
  const contact = part('contact');
  const reason = part('reason') ?? (task.statusReason?.text ? { url: 'reason', valueString: task.statusReason.text } : undefined);
  const step: Extension = {
    url: STEP_EXTENSION,
    extension: [
      { url: 'status', valueCoding: { system: STATUS_SYSTEM, code: state.code, display: state.zh } },
      ...(action ? [{ url: 'action', valueCode: action }] : []),
      { url: 'time', valueDateTime: now },
      ...(principal.fhirUser ? [{ url: 'actor', valueReference: { reference: principal.fhirUser } }] : []),
      ...(principal.organisation ? [{ url: 'organization', valueReference: { reference: principal.organisation } }] : []),
      ...(contact ? [contact] : []),
      ...(reason ? [reason] : []),
    ],
  };
  task.extension = [...(task.extension ?? []).filter((e) => !isStep(e)), ...(before?.extension ?? []).filter(isStep), step];
  task.lastModified = now;
  if (!before) task.authoredOn ??= now;
  if (state.stamps.includes('execution-start')) task.executionPeriod = { ...task.executionPeriod, start: now };
  if (state.stamps.includes('execution-end')) task.executionPeriod = { ...task.executionPeriod, end: now };
  task.businessStatus = { coding: [{ system: STATUS_SYSTEM, code: state.code, display: state.zh }], text: `${state.zh} | ${state.en}` };
}

/**
 * The referral state machine on every write of a referral Task (REST, transaction Bundle, PATCH,
 * `$transition`): the parties are fixed, the businessStatus may only follow the table's
 * transitions (approvals switched off are passed through), each by its side, with the Task.status
 * the table gives; the step is recorded and the people concerned are notified.
 */
export const referralTaskRule: WriteRule = {
  name: 'referral-state-machine',
  types: ['Task'],
  async check(ctx, q, { resource, previous, principal }) {
    const task = resource as Task;
    const before = previous as Task | undefined;
    const wasReferral = isReferralTask(before);
    if (!isReferralTask(task) && !wasReferral) return;
    if (wasReferral && !isReferralTask(task)) throw new FhirError('referral.field-immutable', { field: 'Task.code' }, 'Task.code');
    checkParties(task, wasReferral ? before : undefined);
    const to = businessStatusOf(task) as string;
    const approvals = await approvalsOf(ctx, q, task);
    const from = wasReferral ? businessStatusOf(before) : undefined;
    let action: Action | undefined;
    if (from === undefined) {
      const allowed = initialStates(approvals);
      if (!(allowed as string[]).includes(to)) throw illegal('(new)', to, allowed);
      action = to === 'draft' ? undefined : 'submit';
      requireSide(principal, task, 'applicant', action ?? 'submit');
    } else if (from === to) {
      // An edit that keeps the state (a note, more supporting information): either party, not after the end.
      if (sidesOf(principal, task).size === 0) {
        throw new FhirError('referral.side-forbidden', { side: 'applying or receiving', sideZh: '转出方或接收方', action: 'change', actionZh: '修改' }, 'Task');
      }
      if (stateOf(from)?.final) throw illegal(from, to, []);
    } else {
      const options = transitionsFrom(from, approvals);
      const transition = options.find((t) => t.to === to);
      if (!transition) throw illegal(from, to, options.map((t) => t.to));
      requireSide(principal, task, transition.side, transition.action);
      action = transition.action;
    }
    const state = stateOf(to) as StateRow;
    if (task.status !== state.taskStatus) {
      throw new FhirError('referral.status-mismatch', { code: to, expected: state.taskStatus, actual: task.status ?? '' }, 'Task.status');
    }
    if (from === to) {
      task.extension = [...(task.extension ?? []).filter((e) => e.url !== STEP_EXTENSION), ...(before?.extension ?? []).filter((e) => e.url === STEP_EXTENSION)];
      return;
    }
    if (to === 'scheduled') await checkBooking(ctx, q, task);
    recordStep(task, before, state, action, principal, new Date().toISOString());
    await notifyStep(ctx, q, task, state, action, principal);
  },
};
