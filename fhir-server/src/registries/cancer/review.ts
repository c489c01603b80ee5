import type { Provenance, Task } from '@medplum/fhirtypes';
import type { Principal } from '../../auth/principal.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { WriteRule } from '../../hooks/write-rules.js';
import { REVIEW_STATE_SYSTEM, taskCode } from './tasks.js';

/**
 * The multi-level review (多级审核) as data: a case goes hospital → county CDC → city CDC; at each
 * level a reviewer confirms (next level), returns it for correction (退回, the hospital corrects
 * the case and resubmits) or rejects it (驳回). A reviewer acts by updating the review Task's
 * `businessStatus` to the next state (with `statusReason.text` for return and reject); the rule
 * checks the step against this table, sets `Task.status`, and records a Provenance.
 */
export interface ReviewState {
  code: string;
  zh: string;
  en: string;
  status: Task['status'];
}

export const REVIEW_STATES: readonly ReviewState[] = [
  { code: 'pending-hospital', zh: '待医院审核', en: 'Awaiting hospital review', status: 'requested' },
  { code: 'pending-county', zh: '待区县审核', en: 'Awaiting county CDC review', status: 'in-progress' },
  { code: 'pending-city', zh: '待市级审核', en: 'Awaiting city CDC review', status: 'in-progress' },
  { code: 'returned', zh: '已退回修改', en: 'Returned for correction', status: 'on-hold' },
  { code: 'confirmed', zh: '已确认', en: 'Confirmed', status: 'completed' },
  { code: 'rejected', zh: '已驳回', en: 'Rejected', status: 'rejected' },
];

export interface ReviewStep {
  from: string;
  to: string;
  action: 'confirm' | 'return' | 'reject' | 'resubmit';
  zh: string;
  reasonRequired: boolean;
}

const PENDING = ['pending-hospital', 'pending-county', 'pending-city'];

export const REVIEW_STEPS: readonly ReviewStep[] = [
  { from: 'pending-hospital', to: 'pending-county', action: 'confirm', zh: '确认', reasonRequired: false },
  { from: 'pending-county', to: 'pending-city', action: 'confirm', zh: '确认', reasonRequired: false },
  { from: 'pending-city', to: 'confirmed', action: 'confirm', zh: '确认', reasonRequired: false },
  ...PENDING.map((from) => ({ from, to: 'returned', action: 'return' as const, zh: '退回', reasonRequired: true })),
  ...PENDING.map((from) => ({ from, to: 'rejected', action: 'reject' as const, zh: '驳回', reasonRequired: true })),
  { from: 'returned', to: 'pending-hospital', action: 'resubmit', zh: '重新提交', reasonRequired: false },
];

export const FIRST_REVIEW_STATE = REVIEW_STATES[0] as ReviewState;

function stateOf(task: Task | undefined): string | undefined {
  return task?.businessStatus?.coding?.find((c) => c.system === REVIEW_STATE_SYSTEM)?.code;
}

export function who(principal: Principal): { reference: string } | { display: string } {
  if (principal.fhirUser) return { reference: principal.fhirUser };
  return { display: principal.username ?? principal.clientId ?? principal.kind };
}

/** The Provenance of one review step: who, when, what and why, pointing at the Task version it creates. */
export function reviewProvenance(task: Task, previous: Task, step: ReviewStep, principal: Principal, now: string): Provenance {
  const version = Number(previous.meta?.versionId ?? '0') + 1;
  const reason = task.statusReason?.text;
  return {
    resourceType: 'Provenance',
    target: [{ reference: `Task/${task.id}/_history/${version}` }, ...(task.focus?.reference ? [{ reference: task.focus.reference }] : [])],
    recorded: now,
    activity: { coding: [{ system: 'https://qiao.health/fhir/CodeSystem/registry-review-action', code: step.action, display: step.zh }] },
    ...(reason ? { reason: [{ text: reason }] } : {}),
    agent: [{ who: who(principal), ...(principal.organisation ? { onBehalfOf: { reference: principal.organisation } } : {}) }],
  };
}

export const REVIEW_RULE: WriteRule = {
  name: 'cancer-registry-review',
  types: ['Task'],
  async check(ctx, q, { resource, previous, principal }) {
    const task = resource as Task;
    if (taskCode(task) !== 'registry-review') return;
    const to = stateOf(task);
    const from = stateOf(previous as Task | undefined) ?? (previous ? undefined : FIRST_REVIEW_STATE.code);
    const target = REVIEW_STATES.find((s) => s.code === to);
    if (!target || (!previous && to !== FIRST_REVIEW_STATE.code)) {
      throw new FhirError({ messageId: 'registry.review-transition', params: { from: from ?? '-', to: to ?? '-', allowed: FIRST_REVIEW_STATE.code }, expression: 'Task.businessStatus' });
    }
    task.status = target.status;
    task.businessStatus = { coding: [{ system: REVIEW_STATE_SYSTEM, code: target.code }], text: `${target.zh} | ${target.en}` };
    if (!previous || from === to) return;
    const step = REVIEW_STEPS.find((s) => s.from === from && s.to === to);
    if (!step) {
      const allowed = REVIEW_STEPS.filter((s) => s.from === from).map((s) => s.to).join(', ') || '-';
      throw new FhirError({ messageId: 'registry.review-transition', params: { from: from ?? '-', to: target.code, allowed }, expression: 'Task.businessStatus' });
    }
    if (step.reasonRequired && !task.statusReason?.text?.trim()) {
      throw new FhirError({ messageId: 'registry.review-reason', params: { action: step.zh, actionEn: step.action }, expression: 'Task.statusReason' });
    }
    if (!step.reasonRequired) delete task.statusReason;
    const now = new Date().toISOString();
    task.lastModified = now;
    await ctx.repo.create(q, reviewProvenance(task, previous as Task, step, principal, now));
  },
};
