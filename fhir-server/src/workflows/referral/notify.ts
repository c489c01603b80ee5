import type { Appointment, Communication, Organization, Reference, ServiceRequest, Task } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL, type Principal } from '../../auth/principal.js';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { ACTIONS, type Action, type Recipient, type StateRow } from './machine.js';
import { readLocal, settingsOf } from './organisation.js';
import { REFERRAL_CODING, REFERRAL_TYPES, TYPE_SYSTEM } from './vocabulary.js';

const PERSON = /^(Practitioner|PractitionerRole|Patient|RelatedPerson)\//;

/** The people a state's recipients stand for on this referral (docs/subscriptions.md: people, not organisations). */
async function recipients(ctx: Context, q: Queryable, task: Task, request: ServiceRequest | undefined, who: readonly Recipient[]): Promise<string[]> {
  const out = new Set<string>();
  for (const r of who) {
    if (r === 'applicant-org' || r === 'receiver-org') {
      const org = await readLocal<Organization>(ctx, q, r === 'applicant-org' ? task.requester : task.owner, 'Organization');
      for (const c of settingsOf(org).contacts) out.add(c);
    } else if (r === 'applying-doctor') {
      if (request?.requester?.reference) out.add(request.requester.reference);
    } else if (r === 'patient') {
      if (task.for?.reference) out.add(task.for.reference);
    } else {
      for (const o of task.output ?? []) {
        const appointment = await readLocal<Appointment>(ctx, q, o.valueReference, 'Appointment');
        for (const p of appointment?.participant ?? []) if (p.actor?.reference && /^Practitioner(Role)?\//.test(p.actor.reference)) out.add(p.actor.reference);
      }
    }
  }
  return [...out].filter((ref) => PERSON.test(ref));
}

/**
 * Tells the people concerned that a referral entered a state: one Communication (status
 * `preparation`, the notify module sends it and records the outcome), written by the server in
 * the transaction of the change, so a refused or rolled-back step notifies nobody.
 */
export async function notifyStep(ctx: Context, q: Queryable, task: Task, state: StateRow, action: Action | undefined, actor: Principal): Promise<void> {
  const request = await readLocal<ServiceRequest>(ctx, q, task.basedOn?.[0], 'ServiceRequest');
  const to = await recipients(ctx, q, task, request, state.notify);
  if (to.length === 0) return;
  const type = REFERRAL_TYPES.find((t) => request?.code?.coding?.some((c) => c.system === TYPE_SYSTEM && c.code === t.code));
  const what = action ? `${ACTIONS[action].zh}，` : '';
  const whatEn = action ? ` (${ACTIONS[action].en})` : '';
  const about: Reference[] = [...(task.basedOn ?? []), ...(task.id ? [{ reference: `Task/${task.id}` }] : [])];
  const communication: Communication = {
    resourceType: 'Communication',
    status: 'preparation',
    category: [{ coding: [REFERRAL_CODING] }],
    priority: 'routine',
    ...(task.for?.reference ? { subject: { reference: task.for.reference } } : {}),
    about,
    recipient: to.map((reference) => ({ reference })),
    ...(actor.fhirUser ? { sender: { reference: actor.fhirUser } } : {}),
    payload: [{ contentString: `${type?.zh ?? '转诊'}单${what}当前状态：${state.zh} | ${type?.en ?? 'Referral'}${whatEn} is now: ${state.en}` }],
  };
  // router → write rules → this module: the router is reached lazily, at run time.
  const { dispatch } = await import('../../router/router.js');
  await dispatch(ctx, q, { method: 'POST', path: 'Communication', query: [], body: communication, prefer: { return: 'minimal' }, baseUrl: ctx.config.baseUrl ?? '', principal: SYSTEM_PRINCIPAL });
}
