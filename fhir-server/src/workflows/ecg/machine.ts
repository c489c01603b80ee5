import type { Task } from '@medplum/fhirtypes';

/**
 * The ECG centre's workflow (县域心电中心 3.4.1, eleven steps) as data: the states a reading Task
 * goes through (Task.businessStatus) with the Task.status each implies, and the actions that move
 * it, who may take them and from where. The write rule and the `$ecg-transition` operation both
 * read this table; nothing else knows the order of the steps.
 */
export type EcgState = 'uploaded' | 'dispatched' | 'withdrawn' | 'accepted' | 'returned' | 'diagnosed' | 'reported' | 'acknowledged';
export type EcgAction = 'dispatch' | 'withdraw' | 'mark-urgent' | 'edit-patient' | 'accept' | 'return' | 'diagnose' | 'report' | 'acknowledge';
/** `clinic`: a clinician of the requesting organisation; `reader`: an ECG reader (of the owning centre when one is set); `platform`: the server itself. */
export type EcgActor = 'clinic' | 'reader' | 'platform';

export const STATES: Readonly<Record<EcgState, { status: Task['status']; zh: string; en: string }>> = {
  uploaded: { status: 'requested', zh: '已上传', en: 'Uploaded' },
  dispatched: { status: 'requested', zh: '已调度至诊断中心', en: 'Dispatched to the reading centre' },
  withdrawn: { status: 'cancelled', zh: '已撤销', en: 'Withdrawn' },
  accepted: { status: 'accepted', zh: '已受理', en: 'Accepted' },
  returned: { status: 'rejected', zh: '已退回（图谱质量不合格）', en: 'Returned (poor tracing quality)' },
  diagnosed: { status: 'in-progress', zh: '已诊断', en: 'Diagnosed' },
  reported: { status: 'in-progress', zh: '报告已推送', en: 'Report sent' },
  acknowledged: { status: 'completed', zh: '基层已出具', en: 'Issued by the clinic' },
};

export interface Transition {
  action: EcgAction;
  from: readonly EcgState[];
  /** Absent: the state stays (an edit before acceptance). */
  to?: EcgState;
  actors: readonly EcgActor[];
  zh: string;
  en: string;
}

const BEFORE_ACCEPTANCE: readonly EcgState[] = ['uploaded', 'dispatched'];

export const TRANSITIONS: readonly Transition[] = [
  { action: 'dispatch', from: ['uploaded'], to: 'dispatched', actors: ['platform', 'clinic'], zh: '调度至诊断中心', en: 'dispatch to the reading centre' },
  { action: 'withdraw', from: BEFORE_ACCEPTANCE, to: 'withdrawn', actors: ['clinic'], zh: '撤销申请', en: 'withdraw' },
  { action: 'mark-urgent', from: BEFORE_ACCEPTANCE, actors: ['clinic'], zh: '加急', en: 'mark urgent' },
  { action: 'edit-patient', from: BEFORE_ACCEPTANCE, actors: ['clinic'], zh: '修改患者信息', en: 'edit patient data' },
  { action: 'accept', from: ['dispatched'], to: 'accepted', actors: ['reader'], zh: '受理', en: 'accept' },
  { action: 'return', from: ['accepted'], to: 'returned', actors: ['reader'], zh: '退回', en: 'return for poor quality' },
  { action: 'diagnose', from: ['accepted'], to: 'diagnosed', actors: ['reader'], zh: '提交诊断', en: 'submit the diagnosis' },
  { action: 'report', from: ['diagnosed'], to: 'reported', actors: ['reader', 'platform'], zh: '推送报告', en: 'send the report' },
  { action: 'acknowledge', from: ['reported'], to: 'acknowledged', actors: ['clinic'], zh: '出具报告并回传', en: 'issue the report and confirm' },
];

export const isState = (v: unknown): v is EcgState => typeof v === 'string' && Object.hasOwn(STATES, v);

export function transition(action: string): Transition | undefined {
  return TRANSITIONS.find((t) => t.action === action);
}

/** The transitions that lead from one state to another (or keep it, for edits). */
export function transitionsBetween(from: EcgState, to: EcgState): Transition[] {
  return TRANSITIONS.filter((t) => t.from.includes(from) && (t.to ?? from) === to);
}
