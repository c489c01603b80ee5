import type { Extension, Reference, Task } from '@medplum/fhirtypes';
import { isUnrestricted, type Principal } from '../../auth/principal.js';
import { isState, STATES, type EcgActor, type EcgState } from './machine.js';
import { ECG_STATUS_SYSTEM, ECG_TASK_CODE, ECG_TASK_SYSTEM, EXT_STEP } from './vocabulary.js';

export function isEcgTask(task: Task | undefined): task is Task {
  return !!task?.code?.coding?.some((c) => c.system === ECG_TASK_SYSTEM && c.code === ECG_TASK_CODE);
}

export function stateOf(task: Task): EcgState | undefined {
  const code = task.businessStatus?.coding?.find((c) => c.system === ECG_STATUS_SYSTEM)?.code;
  return isState(code) ? code : undefined;
}

export function businessStatus(state: EcgState): Task['businessStatus'] {
  const s = STATES[state];
  return { coding: [{ system: ECG_STATUS_SYSTEM, code: state, display: s.zh }], text: `${s.zh} | ${s.en}` };
}

export interface Step {
  state: EcgState;
  time: string;
  actor?: string;
  reason?: string;
}

export function stepExtension(step: Step): Extension {
  return {
    url: EXT_STEP,
    extension: [
      { url: 'state', valueCode: step.state },
      { url: 'time', valueDateTime: step.time },
      ...(step.actor ? [{ url: 'actor', valueReference: { reference: step.actor } }] : []),
      ...(step.reason ? [{ url: 'reason', valueString: step.reason }] : []),
    ],
  };
}

/** The steps recorded on a Task, in the order taken. */
export function stepsOf(task: Task): Step[] {
  return (task.extension ?? [])
    .filter((e) => e.url === EXT_STEP)
    .flatMap((e) => {
      const part = (name: string) => e.extension?.find((x) => x.url === name);
      const state = part('state')?.valueCode;
      const time = part('time')?.valueDateTime;
      if (!isState(state) || !time) return [];
      const actor = part('actor')?.valueReference?.reference;
      const reason = part('reason')?.valueString;
      return [{ state, time, ...(actor ? { actor } : {}), ...(reason ? { reason } : {}) }];
    });
}

/** Who the principal is in this Task's workflow. */
export function actorsOf(principal: Principal, task: Task): EcgActor[] {
  if (isUnrestricted(principal)) return ['platform', 'clinic', 'reader'];
  const out: EcgActor[] = [];
  const org = principal.organisation;
  const sameOrg = (ref: Reference | undefined) => !ref?.reference?.startsWith('Organization/') || ref.reference === org;
  if (principal.roles.includes('ecg-reader') && sameOrg(task.owner)) out.push('reader');
  if ((principal.roles.includes('clinician') || (principal.kind === 'backend' && principal.roles.length === 0)) && org && task.requester?.reference === org) out.push('clinic');
  return out;
}

/** The principal as the step's actor: the user's FHIR resource, else their organisation. */
export function actorReference(principal: Principal): string | undefined {
  return principal.fhirUser ?? principal.organisation;
}

/** The reading Task an upload starts (step 2: the ECG is on the platform). */
export function uploadTask(o: { identifier: { system: string; value: string }; patient: string; report: string; order: string; requester?: string; owner?: string; time: string; actor?: string; urgent?: boolean }): Task {
  return {
    resourceType: 'Task',
    identifier: [o.identifier],
    basedOn: [{ reference: o.order }],
    status: STATES.uploaded.status as Task['status'],
    businessStatus: businessStatus('uploaded'),
    intent: 'order',
    priority: o.urgent ? 'stat' : 'routine',
    code: { coding: [{ system: ECG_TASK_SYSTEM, code: ECG_TASK_CODE, display: '心电诊断' }], text: '心电诊断 | ECG reading' },
    focus: { reference: o.report },
    for: { reference: o.patient },
    authoredOn: o.time,
    lastModified: o.time,
    ...(o.requester ? { requester: { reference: o.requester } } : {}),
    ...(o.owner ? { owner: { reference: o.owner } } : {}),
    extension: [stepExtension({ state: 'uploaded', time: o.time, ...(o.actor ? { actor: o.actor } : {}) })],
  };
}
