import type { Task } from '@medplum/fhirtypes';
import { CANCER, REGISTRY_TAG_SYSTEM } from './model.js';

export const TASK_CODE_SYSTEM = 'https://qiao.health/fhir/CodeSystem/registry-task';
export const REVIEW_STATE_SYSTEM = 'https://qiao.health/fhir/CodeSystem/registry-review-state';
export const FOLLOW_UP_STATE_SYSTEM = 'https://qiao.health/fhir/CodeSystem/registry-follow-up-state';

/** Months from submission to the first cancer follow-up (the registries follow cases up yearly for survival). */
export const CANCER_FOLLOW_UP_MONTHS = 12;

export function addMonths(date: string, months: number): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function taskCode(task: Task): string | undefined {
  return task.code?.coding?.find((c) => c.system === TASK_CODE_SYSTEM)?.code;
}

function base(code: string, zh: string, en: string, conditionId: string, patientRef: string): Task {
  return {
    resourceType: 'Task',
    meta: { tag: [{ system: REGISTRY_TAG_SYSTEM, code: CANCER }] },
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: TASK_CODE_SYSTEM, code, display: `${zh} | ${en}` }] },
    focus: { reference: `Condition/${conditionId}` },
    for: { reference: patientRef },
    authoredOn: new Date().toISOString(),
  };
}

/** The review Task a submitted case starts with: waiting for the first review level. */
export function reviewTask(conditionId: string, patientRef: string, reporter: string | undefined, firstState: { code: string; zh: string; en: string }): Task {
  return {
    ...base('registry-review', '登记审核', 'Registry review', conditionId, patientRef),
    businessStatus: { coding: [{ system: REVIEW_STATE_SYSTEM, code: firstState.code }], text: `${firstState.zh} | ${firstState.en}` },
    ...(reporter ? { requester: { reference: reporter } } : {}),
  };
}

/** The follow-up Task of a case: due a year after submission, closed by death linkage. */
export function followUpTask(conditionId: string, patientRef: string, today: string): Task {
  return {
    ...base('registry-follow-up', '肿瘤随访', 'Cancer follow-up', conditionId, patientRef),
    businessStatus: { coding: [{ system: FOLLOW_UP_STATE_SYSTEM, code: 'scheduled' }], text: '待随访 | Follow-up scheduled' },
    executionPeriod: { start: addMonths(today, CANCER_FOLLOW_UP_MONTHS) },
  };
}
