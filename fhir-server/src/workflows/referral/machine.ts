/**
 * The referral (双向转诊) state machine as data: the businessStatus codes of a referral Task, the
 * FHIR Task.status each one means, the transitions with the side (applying or receiving
 * organisation) that may make them, the approval a state stands for (skipped when the
 * organisation switched it off), what each state stamps on the Task and whom it notifies.
 * The write rule (rule.ts), the `$transition` operation, the shipped CodeSystem and
 * docs/workflows.md all read these tables.
 */

export type TaskStatus = 'draft' | 'requested' | 'received' | 'accepted' | 'rejected' | 'ready' | 'cancelled' | 'in-progress' | 'on-hold' | 'failed' | 'completed' | 'entered-in-error';
export type Side = 'applicant' | 'receiver';
export type Recipient = 'applicant-org' | 'receiver-org' | 'applying-doctor' | 'receiving-doctor' | 'patient';
/** What a state stamps on the Task besides the step record: when the work started and ended. */
export type Stamp = 'execution-start' | 'execution-end';

export interface StateRow {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  readonly taskStatus: TaskStatus;
  /** The approval this state waits for; when the organisation of that side switched it off, the state is passed through. */
  readonly approval?: Side;
  readonly stamps: readonly Stamp[];
  /** Who is told when the referral enters the state (Communication resources). */
  readonly notify: readonly Recipient[];
  readonly final?: boolean;
}

export const STATES = [
  { code: 'draft', zh: '草稿', en: 'Draft', taskStatus: 'draft', stamps: [], notify: [] },
  { code: 'awaiting-applicant-approval', zh: '待转出方审核', en: 'Awaiting applicant-side approval', taskStatus: 'requested', approval: 'applicant', stamps: [], notify: ['applicant-org'] },
  { code: 'awaiting-receiver-approval', zh: '待接收方审核', en: 'Awaiting receiver-side approval', taskStatus: 'received', approval: 'receiver', stamps: [], notify: ['receiver-org'] },
  { code: 'awaiting-scheduling', zh: '待接诊安排', en: 'Awaiting scheduling', taskStatus: 'accepted', stamps: [], notify: ['receiver-org', 'applying-doctor'] },
  { code: 'scheduled', zh: '已安排接诊', en: 'Scheduled', taskStatus: 'ready', stamps: [], notify: ['applying-doctor', 'receiving-doctor', 'patient'] },
  { code: 'refused', zh: '已拒绝', en: 'Refused', taskStatus: 'rejected', stamps: ['execution-end'], notify: ['applying-doctor', 'patient'], final: true },
  { code: 'received', zh: '已接诊', en: 'Received', taskStatus: 'in-progress', stamps: ['execution-start'], notify: ['applying-doctor'] },
  { code: 'feedback-sent', zh: '已反馈', en: 'Feedback sent', taskStatus: 'in-progress', stamps: [], notify: ['applying-doctor'] },
  { code: 'returned', zh: '已转回', en: 'Returned', taskStatus: 'completed', stamps: ['execution-end'], notify: ['applying-doctor', 'applicant-org', 'patient'], final: true },
  { code: 'closed', zh: '已结案', en: 'Closed', taskStatus: 'completed', stamps: ['execution-end'], notify: ['receiving-doctor'], final: true },
  { code: 'cancelled', zh: '已撤销', en: 'Cancelled', taskStatus: 'cancelled', stamps: ['execution-end'], notify: ['receiver-org', 'receiving-doctor', 'patient'], final: true },
] as const satisfies readonly StateRow[];

export type StateCode = (typeof STATES)[number]['code'];

export interface TransitionRow {
  readonly from: StateCode;
  readonly to: StateCode;
  readonly action: Action;
  readonly side: Side;
}

export const ACTIONS = {
  submit: { zh: '提交', en: 'submit' },
  approve: { zh: '审核通过', en: 'approve' },
  refuse: { zh: '拒绝', en: 'refuse' },
  schedule: { zh: '安排接诊', en: 'schedule' },
  receive: { zh: '接诊', en: 'receive' },
  feedback: { zh: '反馈结果', en: 'send feedback' },
  return: { zh: '转回', en: 'return' },
  close: { zh: '结案', en: 'close' },
  cancel: { zh: '撤销', en: 'cancel' },
} as const;
export type Action = keyof typeof ACTIONS;

const CANCELLABLE: readonly StateCode[] = ['draft', 'awaiting-applicant-approval', 'awaiting-receiver-approval', 'awaiting-scheduling', 'scheduled'];

export const TRANSITIONS: readonly TransitionRow[] = [
  { from: 'draft', to: 'awaiting-applicant-approval', action: 'submit', side: 'applicant' },
  { from: 'awaiting-applicant-approval', to: 'awaiting-receiver-approval', action: 'approve', side: 'applicant' },
  { from: 'awaiting-applicant-approval', to: 'refused', action: 'refuse', side: 'applicant' },
  { from: 'awaiting-receiver-approval', to: 'awaiting-scheduling', action: 'approve', side: 'receiver' },
  { from: 'awaiting-receiver-approval', to: 'refused', action: 'refuse', side: 'receiver' },
  { from: 'awaiting-scheduling', to: 'scheduled', action: 'schedule', side: 'receiver' },
  { from: 'awaiting-scheduling', to: 'refused', action: 'refuse', side: 'receiver' },
  { from: 'scheduled', to: 'received', action: 'receive', side: 'receiver' },
  { from: 'received', to: 'feedback-sent', action: 'feedback', side: 'receiver' },
  { from: 'feedback-sent', to: 'returned', action: 'return', side: 'receiver' },
  { from: 'feedback-sent', to: 'closed', action: 'close', side: 'applicant' },
  ...CANCELLABLE.map((from) => ({ from, to: 'cancelled' as const, action: 'cancel' as const, side: 'applicant' as const })),
];

/** Which approvals are in force for one referral (applicant side: the applying organisation's outgoing approval; receiver side: the receiving organisation's incoming one). */
export interface Approvals {
  readonly applicant: boolean;
  readonly receiver: boolean;
}

const BY_CODE = new Map<string, StateRow>(STATES.map((s) => [s.code, s]));

export function stateOf(code: string | undefined): StateRow | undefined {
  return code === undefined ? undefined : BY_CODE.get(code);
}

function skipped(state: StateCode, approvals: Approvals): boolean {
  const approval = stateOf(state)?.approval;
  return approval !== undefined && !approvals[approval];
}

/**
 * The transitions out of `from` as they apply to this referral: an edge into an approval state
 * that is switched off leads on to where that state's approval would go (same action and side).
 */
export function transitionsFrom(from: string, approvals: Approvals): TransitionRow[] {
  const out: TransitionRow[] = [];
  for (const t of TRANSITIONS.filter((x) => x.from === from)) {
    let to: StateCode = t.to;
    for (let guard = 0; skipped(to, approvals) && guard < STATES.length; guard++) {
      const onward = TRANSITIONS.find((x) => x.from === to && x.action === 'approve');
      if (!onward) break;
      to = onward.to;
    }
    out.push({ ...t, to });
  }
  return out;
}

/** The states a new referral Task may be created in: draft, or straight where submitting leads. */
export function initialStates(approvals: Approvals): StateCode[] {
  return ['draft', ...transitionsFrom('draft', approvals).filter((t) => t.action === 'submit').map((t) => t.to)];
}
