import type { CodeableConcept, DiagnosticReport, Task } from '@medplum/fhirtypes';
import type { WriteRule } from '../../hooks/write-rules.js';
import { ecgError } from '../../ecg/errors.js';
import { terminologyFor } from '../../operations/terminology/service.js';
import { INTERPRETATION_SYSTEM } from '../critical-values/codes.js';
import { STATES, transitionsBetween } from './machine.js';
import { actorReference, actorsOf, businessStatus, isEcgTask, stateOf, stepExtension, stepsOf } from './task.js';
import { ECG_DIAGNOSIS_SYSTEM, EKG_STUDY, EXT_CRITICAL, EXT_STATEMENT_RANK } from './vocabulary.js';

/**
 * The ECG reading Task's state machine (machine.ts) on every write, whoever makes it: a Task is
 * created `uploaded`; an update moves it only along a transition its writer may take (clinic,
 * reader, platform); Task.status follows the business status; what identifies the reading
 * (what it is, patient, report, requester) never changes; each step taken is stamped with its time and
 * actor, which is what timeliness is computed from.
 */
const taskMachine: WriteRule = {
  name: 'ecg.task-state-machine',
  types: ['Task'],
  async check(_ctx, _q, { method, resource, previous, principal }) {
    const task = resource as Task;
    const before = previous as Task | undefined;
    if (!isEcgTask(task) && !isEcgTask(before)) return;
    const to = stateOf(task);
    if (!to) throw ecgError(422, 'ECG-WF-001', '心电诊断任务的 businessStatus 缺失或不是工作流状态', "the ECG reading Task's businessStatus is missing or not a workflow state", 'Task.businessStatus');
    const now = new Date().toISOString();
    const from = before && isEcgTask(before) ? stateOf(before) : undefined;
    if (method === 'create' || !before || !from) {
      if (to !== 'uploaded') throw ecgError(409, 'ECG-WF-002', `心电诊断任务必须以“已上传”开始，而不是 ${to}`, `an ECG reading Task starts as uploaded, not ${to}`, 'Task.businessStatus');
      task.status = STATES.uploaded.status as Task['status'];
      return;
    }
    const options = transitionsBetween(from, to);
    if (options.length === 0) {
      throw ecgError(409, 'ECG-WF-003', `不允许从“${STATES[from].zh}”变为“${STATES[to].zh}”`, `an ECG reading cannot go from ${from} to ${to}`, 'Task.businessStatus');
    }
    const actors = actorsOf(principal, before);
    if (!options.some((t) => t.actors.some((a) => actors.includes(a)))) {
      const who = options.flatMap((t) => t.actors).join('/');
      throw ecgError(403, 'ECG-WF-004', `只有${who === 'clinic' ? '申请机构的医生' : who.includes('reader') ? '心电诊断医生' : who}可以执行“${options[0]?.zh ?? ''}”`, `only ${who} may ${options[0]?.en ?? 'do this'}`, 'Task.businessStatus', 'forbidden');
    }
    for (const [field, path] of [['code', 'Task.code'], ['for', 'Task.for'], ['focus', 'Task.focus'], ['requester', 'Task.requester']] as const) {
      if (JSON.stringify(task[field] ?? null) !== JSON.stringify(before[field] ?? null)) {
        throw ecgError(409, 'ECG-WF-005', `${path} 在心电诊断流程中不可更改`, `${path} cannot change during an ECG reading`, path);
      }
    }
    if (to === 'returned' && !task.statusReason?.text && !task.statusReason?.coding?.length) {
      throw ecgError(422, 'ECG-WF-006', '退回必须说明原因（Task.statusReason）', 'a return needs its reason (Task.statusReason)', 'Task.statusReason');
    }
    task.status = STATES[to].status as Task['status'];
    task.businessStatus = businessStatus(to);
    task.lastModified = now;
    if (to !== from) {
      const steps = stepsOf(task);
      // The operation records the step with its actor; a direct REST update gets it recorded here.
      if (steps.length === stepsOf(before).length) {
        const actor = actorReference(principal);
        task.extension = [...(task.extension ?? []), stepExtension({ state: to, time: now, ...(actor ? { actor } : {}), ...(to === 'returned' && task.statusReason?.text ? { reason: task.statusReason.text } : {}) })];
      }
    }
  },
};

export function isEcgReport(report: DiagnosticReport | undefined): report is DiagnosticReport {
  return !!report?.code?.coding?.some((c) => c.system === EKG_STUDY.system && c.code === EKG_STUDY.code);
}

export function statementCodings(report: DiagnosticReport): { code: string; rank?: string; at: number }[] {
  return (report.conclusionCode ?? []).flatMap((cc, at) =>
    (cc.coding ?? []).filter((c) => c.system === ECG_DIAGNOSIS_SYSTEM).map((c) => ({ code: c.code ?? '', at, ...(cc.extension?.find((e) => e.url === EXT_STATEMENT_RANK)?.valueCode ? { rank: cc.extension?.find((e) => e.url === EXT_STATEMENT_RANK)?.valueCode as string } : {}) })),
  );
}

const CRITICAL_CONCEPT: CodeableConcept = { coding: [{ system: INTERPRETATION_SYSTEM, code: 'AA', display: 'Critical abnormal' }], text: '危急值 | Critical value' };

/**
 * An ECG report's statements must be codes of the ECG diagnosis code system (a statement, not a
 * category); a signed report with a statement marked `critical` is coded critical (conclusionCode
 * AA), which is what the critical-value loop acts on. Runs before the critical-value rules.
 */
const reportStatements: WriteRule = {
  name: 'ecg.report-statements',
  types: ['DiagnosticReport'],
  async check(ctx, q, { resource }) {
    const report = resource as DiagnosticReport;
    if (!isEcgReport(report)) return;
    const statements = statementCodings(report);
    if (statements.length === 0) return;
    const terminology = await terminologyFor(ctx, q);
    let critical = false;
    for (const s of statements) {
      const where = `DiagnosticReport.conclusionCode[${s.at}]`;
      const checked = terminology.validateCode({ system: ECG_DIAGNOSIS_SYSTEM, code: s.code });
      if (!checked.result) throw ecgError(422, 'ECG-DX-001', `${s.code} 不是心电图诊断术语`, `${s.code} is not an ECG diagnostic statement`, where, 'code-invalid');
      const props = terminology.lookup(ECG_DIAGNOSIS_SYSTEM, s.code).properties;
      if (props.some((p) => p.code === 'abstract' && p.value === true)) throw ecgError(422, 'ECG-DX-002', `${s.code} 是分类，不是诊断术语`, `${s.code} is a category, not a statement`, where, 'code-invalid');
      if (props.some((p) => p.code === 'critical' && p.value === true)) critical = true;
    }
    if (!statements.some((s) => s.rank === 'primary')) throw ecgError(422, 'ECG-DX-003', '心电图报告需要一个首要诊断（rank=primary）', 'an ECG report needs a primary statement (rank primary)', 'DiagnosticReport.conclusionCode');
    const flagged = (report.conclusionCode ?? []).some((cc) => cc.coding?.some((c) => c.system === INTERPRETATION_SYSTEM && c.code === 'AA'));
    if (critical && !flagged) report.conclusionCode = [...(report.conclusionCode ?? []), CRITICAL_CONCEPT];
    if (critical) report.extension = [...(report.extension ?? []).filter((e) => e.url !== EXT_CRITICAL), { url: EXT_CRITICAL, valueBoolean: true }];
  },
};

export const ECG_RULES: readonly WriteRule[] = [taskMachine, reportStatements];
