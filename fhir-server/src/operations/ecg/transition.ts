import type { DiagnosticReport, Parameters, ParametersParameter, Patient, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../../auth/principal.js';
import { ecgError } from '../../ecg/errors.js';
import { toPlain } from '../../http/serialize.js';
import type { Queryable } from '../../repository/db.js';
import { dispatch } from '../../router/router.js';
import { RawContent, type Context, type FhirRequest, type FhirResponse, type ParsedPath } from '../../router/types.js';
import { STATES, transition, TRANSITIONS } from '../../workflows/ecg/machine.js';
import { actorReference, actorsOf, businessStatus, isEcgTask, stateOf, stepExtension } from '../../workflows/ecg/task.js';
import { ECG_DIAGNOSIS_SYSTEM, EXT_CRITICAL, EXT_STATEMENT_RANK } from '../../workflows/ecg/vocabulary.js';

const ORGANISATION = /^Organization\/[A-Za-z0-9\-.]{1,64}$/;

function params(req: FhirRequest): ParametersParameter[] {
  const body = req.body as Parameters | undefined;
  if (body && body.resourceType !== 'Parameters') throw ecgError(400, 'ECG-OP-001', '请求体必须是 Parameters', 'the body must be a Parameters resource', 'Parameters');
  return [...(body?.parameter ?? []), ...req.query.map(([name, value]) => ({ name, valueString: value }))];
}

const value = (p: ParametersParameter | undefined): string | undefined => p?.valueCode ?? p?.valueString ?? p?.valueReference?.reference ?? p?.valueCoding?.code ?? p?.valueDate;
const all = (ps: ParametersParameter[], name: string) => ps.filter((p) => p.name === name).map(value).filter((v): v is string => !!v);
const one = (ps: ParametersParameter[], name: string) => all(ps, name)[0];

async function read<T extends Resource>(ctx: Context, q: Queryable, type: string, id: string): Promise<T> {
  return JSON.parse((await ctx.repo.read(q, type, id, true)).json as string) as T;
}

async function write(ctx: Context, q: Queryable, req: FhirRequest, resource: Resource, asServer: boolean): Promise<Resource> {
  const res = await dispatch(ctx, q, {
    method: 'PUT',
    path: `${resource.resourceType}/${resource.id as string}`,
    query: [],
    body: resource,
    prefer: { return: 'representation' },
    baseUrl: req.baseUrl,
    principal: asServer ? SYSTEM_PRINCIPAL : req.principal,
  });
  return (res.body && !(res.body instanceof RawContent) ? toPlain(res.body) : resource) as Resource;
}

const localId = (reference: string | undefined, type: string): string | undefined => (reference?.startsWith(`${type}/`) ? reference.slice(type.length + 1) : undefined);

/**
 * `POST [base]/Task/{id}/$ecg-transition` with `action` (dispatch, withdraw, mark-urgent,
 * edit-patient, accept, return, diagnose, report, acknowledge) and what the action needs:
 * `centre` (dispatch), `reason` (return, withdraw), `primary` and `secondary` statement codes and
 * `conclusion` text (diagnose), `family`/`given`/`gender`/`birthDate` (edit-patient). Checks the
 * step against the workflow table and the caller's part in it, writes the report and the Task in
 * one transaction, and answers with the Task.
 */
export async function ecgTransition(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const ps = params(req);
  const action = one(ps, 'action');
  const step = action ? transition(action) : undefined;
  if (!step) throw ecgError(400, 'ECG-OP-002', `action 必须是 ${TRANSITIONS.map((t) => t.action).join('、')} 之一`, `action must be one of ${TRANSITIONS.map((t) => t.action).join(', ')}`, 'Parameters.parameter[action]');
  const task = await read<Task>(ctx, q, 'Task', path.id as string);
  if (!isEcgTask(task)) throw ecgError(422, 'ECG-OP-003', '这不是心电诊断任务', 'this Task is not an ECG reading', 'Task.code');
  const from = stateOf(task);
  if (!from || !step.from.includes(from)) {
    throw ecgError(409, 'ECG-WF-003', `当前状态“${from ? STATES[from].zh : '?'}”下不能“${step.zh}”`, `cannot ${step.en} in state ${from ?? '?'}`, 'Task.businessStatus');
  }
  if (!step.actors.some((a) => actorsOf(req.principal, task).includes(a))) {
    throw ecgError(403, 'ECG-WF-004', `您在这次心电诊断中不能“${step.zh}”`, `you may not ${step.en} in this ECG reading`, 'Parameters.parameter[action]', 'forbidden');
  }
  const now = new Date().toISOString();
  const actor = actorReference(req.principal);
  const reportId = localId(task.focus?.reference, 'DiagnosticReport');
  const reason = one(ps, 'reason');
  switch (step.action) {
    case 'dispatch':
    case 'accept': {
      const centre = one(ps, 'centre') ?? (step.action === 'accept' ? req.principal.organisation : undefined);
      if (centre !== undefined && !ORGANISATION.test(centre)) throw ecgError(400, 'ECG-PARAM-001', 'centre 必须是 Organization/<id>', 'centre must be Organization/<id>', 'Parameters.parameter[centre]');
      if (centre && !task.owner) task.owner = { reference: centre };
      break;
    }
    case 'withdraw':
      if (reason) task.statusReason = { text: reason };
      break;
    case 'return':
      if (!reason) throw ecgError(422, 'ECG-WF-006', '退回必须说明原因（reason）', 'a return needs its reason (reason)', 'Parameters.parameter[reason]');
      task.statusReason = { text: reason };
      break;
    case 'mark-urgent':
      task.priority = 'stat';
      break;
    case 'edit-patient': {
      const id = localId(task.for?.reference, 'Patient');
      if (!id) break;
      const patient = await read<Patient>(ctx, q, 'Patient', id);
      const family = one(ps, 'family');
      const given = one(ps, 'given');
      const gender = one(ps, 'gender');
      const birthDate = one(ps, 'birthDate');
      if (family || given) patient.name = [{ ...(family ? { family } : {}), ...(given ? { given: [given] } : {}) }, ...(patient.name ?? []).map((n) => ({ ...n, use: 'old' as const }))];
      if (gender) patient.gender = gender as Patient['gender'];
      if (birthDate) patient.birthDate = birthDate;
      await write(ctx, q, req, patient, false);
      break;
    }
    case 'diagnose': {
      const primary = all(ps, 'primary');
      if (primary.length !== 1) throw ecgError(422, 'ECG-DX-003', '提交诊断需要恰好一个首要诊断（primary）', 'a diagnosis needs exactly one primary statement (primary)', 'Parameters.parameter[primary]');
      if (!reportId) break;
      const report = await read<DiagnosticReport>(ctx, q, 'DiagnosticReport', reportId);
      const statement = (code: string, rank: 'primary' | 'secondary') => ({ extension: [{ url: EXT_STATEMENT_RANK, valueCode: rank }], coding: [{ system: ECG_DIAGNOSIS_SYSTEM, code }] });
      report.conclusionCode = [...primary.map((c) => statement(c, 'primary')), ...all(ps, 'secondary').map((c) => statement(c, 'secondary'))];
      const conclusion = one(ps, 'conclusion');
      if (conclusion) report.conclusion = conclusion;
      report.status = 'preliminary';
      if (req.principal.fhirUser) report.resultsInterpreter = [{ reference: req.principal.fhirUser }];
      await write(ctx, q, req, report, false);
      break;
    }
    case 'report': {
      if (!reportId) break;
      const report = await read<DiagnosticReport>(ctx, q, 'DiagnosticReport', reportId);
      report.status = 'final';
      report.issued = now;
      const stored = (await write(ctx, q, req, report, false)) as DiagnosticReport;
      if (stored.extension?.some((e) => e.url === EXT_CRITICAL && e.valueBoolean)) {
        task.extension = [...(task.extension ?? []).filter((e) => e.url !== EXT_CRITICAL), { url: EXT_CRITICAL, valueBoolean: true }];
      }
      break;
    }
    case 'acknowledge':
      break;
  }
  // The order ends with the reading: revoked when the clinic withdraws it, completed when it issues the report.
  const orderStatus = step.action === 'withdraw' ? 'revoked' : step.action === 'acknowledge' ? 'completed' : undefined;
  const orderId = localId(task.basedOn?.[0]?.reference, 'ServiceRequest');
  if (orderStatus && orderId) {
    const order = await read<ServiceRequest>(ctx, q, 'ServiceRequest', orderId);
    if (order.status === 'active') await write(ctx, q, req, { ...order, status: orderStatus }, false);
  }
  const to = step.to ?? from;
  task.businessStatus = businessStatus(to);
  if (step.to) task.extension = [...(task.extension ?? []), stepExtension({ state: to, time: now, ...(actor ? { actor } : {}), ...(reason && (to === 'returned' || to === 'withdrawn') ? { reason } : {}) })];
  // The caller's part was checked above; the Task is written as the platform (a reader holds no Task write permission of its own).
  const stored = await write(ctx, q, req, task, true);
  return { status: 200, body: stored };
}
