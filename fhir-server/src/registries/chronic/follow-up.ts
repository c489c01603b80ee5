import { randomUUID } from 'node:crypto';
import type { Organization, Patient, QuestionnaireResponse, QuestionnaireResponseItem, QuestionnaireResponseItemAnswer, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Principal } from '../../auth/principal.js';
import type { EdgeIssue } from '../../errors/edge-issues.js';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { WriteRule } from '../../hooks/write-rules.js';
import type { Queryable } from '../../repository/db.js';
import { dispatch } from '../../router/router.js';
import { RawJson, type Context } from '../../router/types.js';
import { REFERRAL_CODING, STATUS_SYSTEM } from '../../workflows/referral/vocabulary.js';
import { extension, REGISTRY_TAG_SYSTEM, SD, setExtension } from '../cancer/model.js';
import { addDays, FOLLOW_UP_STATE_SYSTEM, TASK_CODE_SYSTEM } from '../cancer/tasks.js';
import { readOptional, searchAll } from '../store.js';
import { formOf, type Disease } from './forms.js';
import { FOLLOW_UP_RULES, type Control, type Visit } from './rules.js';

export const CONTROL_EXTENSION = `${SD}chronic-control-status`;
export const CHRONIC = 'chronic';

function answers(items: readonly QuestionnaireResponseItem[] | undefined, linkId: string): QuestionnaireResponseItemAnswer[] {
  for (const item of items ?? []) {
    if (item.linkId === linkId) return item.answer ?? [];
    const nested = answers(item.item, linkId);
    if (nested.length) return nested;
  }
  return [];
}

function num(qr: QuestionnaireResponse, linkId: string): number | undefined {
  const a = answers(qr.item, linkId)[0];
  return a?.valueInteger ?? a?.valueDecimal;
}

export function visitOf(qr: QuestionnaireResponse): Visit {
  const v: Visit = {};
  const set = <K extends keyof Visit>(key: K, value: Visit[K] | undefined) => {
    if (value !== undefined) v[key] = value;
  };
  set('sbp', num(qr, 'sbp'));
  set('dbp', num(qr, 'dbp'));
  set('fastingGlucose', num(qr, 'fasting-glucose'));
  set('dangerSigns', answers(qr.item, 'danger-signs')[0]?.valueBoolean);
  set('adverseReaction', answers(qr.item, 'adverse-reaction')[0]?.valueBoolean);
  set('classification', answers(qr.item, 'classification')[0]?.valueCoding?.code);
  return v;
}

/** The assessment of one visit: control status, the emergency rules that fired, and the next visit date. */
export function assessVisit(disease: Disease, visit: Visit, visitDate: string): { control: Control; emergencies: { id: string; zh: string; en: string }[]; next: string } {
  const rules = FOLLOW_UP_RULES[disease];
  const emergencies = rules.emergency.filter((r) => r.test(visit));
  const control: Control = emergencies.length ? 'emergency' : rules.controlled(visit) ? 'controlled' : 'uncontrolled';
  return { control, emergencies, next: addDays(visitDate, rules.nextVisitDays[control]) };
}

function controlOf(qr: QuestionnaireResponse): string | undefined {
  return extension(qr, CONTROL_EXTENSION)?.valueCode;
}

function setAnswer(qr: QuestionnaireResponse, linkId: string, answer: QuestionnaireResponseItemAnswer): void {
  const item = qr.item?.find((i) => i.linkId === linkId);
  if (item) item.answer = [answer];
  else qr.item = [...(qr.item ?? []), { linkId, answer: [answer] }];
}

/** Runs an interaction inside the write's transaction, as a client would (so the referral rules apply). */
async function write<T extends ServiceRequest | Task>(ctx: Context, q: Queryable, principal: Principal, resource: T): Promise<T> {
  const reply = await dispatch(ctx, q, { method: 'POST', path: resource.resourceType, query: [], body: resource, prefer: { return: 'representation' }, baseUrl: ctx.config.baseUrl ?? '', principal });
  return (reply.body instanceof RawJson ? JSON.parse(reply.body.text) : reply.body) as T;
}

/**
 * The referral a visit triggers: a ServiceRequest (category SNOMED CT 3457005, what the referral
 * workflow reads) and, when the receiving organisation is known — the applying organisation's
 * `partOf`, its county hospital in a medical alliance (医共体) —, the referral Task in `draft`,
 * both created through the router so the referral workflow's own rules run on them.
 */
async function refer(ctx: Context, q: Queryable, principal: Principal, qr: QuestionnaireResponse, patient: Patient, reason: string): Promise<EdgeIssue> {
  const applicant = principal.organisation ?? patient.managingOrganization?.reference;
  const applicantOrg = applicant?.startsWith('Organization/') ? await readOptional<Organization>(q, ctx.repo, 'Organization', applicant.slice('Organization/'.length)) : undefined;
  const receiver = applicantOrg?.partOf?.reference;
  const request = await write<ServiceRequest>(ctx, q, principal, {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'proposal',
    category: [{ coding: [REFERRAL_CODING] }],
    code: { text: '慢病随访转诊 | Chronic disease follow-up referral' },
    subject: { reference: `Patient/${patient.id}` },
    authoredOn: new Date().toISOString(),
    reasonCode: [{ text: reason }],
    supportingInfo: [{ reference: `QuestionnaireResponse/${qr.id}` }],
    ...(applicant ? { requester: { reference: applicant } } : {}),
    ...(receiver ? { performer: [{ reference: receiver }] } : {}),
  });
  if (!applicant || !receiver) {
    return { severity: 'warning', code: 'incomplete', id: 'CF-REFERRAL-DRAFT', expression: 'QuestionnaireResponse', zh: `已生成转诊申请 ServiceRequest/${request.id}（草稿）；未能确定接收机构，请补充后提交：${reason}`, en: `Referral request ServiceRequest/${request.id} created as a draft; the receiving organisation is unknown, complete it before submitting: ${reason}` };
  }
  const task = await write<Task>(ctx, q, principal, {
    resourceType: 'Task',
    status: 'draft',
    intent: 'proposal',
    code: { coding: [REFERRAL_CODING] },
    businessStatus: { coding: [{ system: STATUS_SYSTEM, code: 'draft' }] },
    basedOn: [{ reference: `ServiceRequest/${request.id}` }],
    for: { reference: `Patient/${patient.id}` },
    requester: { reference: applicant },
    owner: { reference: receiver },
    reasonCode: { text: reason },
  });
  return { severity: 'warning', code: 'informational', id: 'CF-REFERRAL', expression: 'QuestionnaireResponse', zh: `需要转诊：${reason}；已生成转诊草稿 Task/${task.id}（ServiceRequest/${request.id}）`, en: `Referral needed: ${reason}; draft referral Task/${task.id} (ServiceRequest/${request.id}) created` };
}

/**
 * A completed follow-up form (QuestionnaireResponse of a shipped hypertension or type 2 diabetes
 * form): the visit is assessed by the rules (rules.ts), the next visit date is filled in when the
 * doctor left it empty, the patient's open follow-up Task for the disease is completed and a new
 * one is scheduled, and an emergency or a second uncontrolled visit in a row triggers a referral.
 */
export const FOLLOW_UP_RULE: WriteRule = {
  name: 'chronic-follow-up',
  types: ['QuestionnaireResponse'],
  async check(ctx, q, { method, resource, principal }) {
    const qr = resource as QuestionnaireResponse;
    const form = formOf(qr.questionnaire);
    if (!form || method !== 'create' || qr.status !== 'completed') return;
    const patientId = qr.subject?.reference?.startsWith('Patient/') ? qr.subject.reference.slice('Patient/'.length) : undefined;
    const patient = patientId ? await readOptional<Patient>(q, ctx.repo, 'Patient', patientId) : undefined;
    if (!patient) {
      throw FhirError.of([fromEdgeIssue({ severity: 'error', code: 'required', id: 'CF-PATIENT', expression: 'QuestionnaireResponse.subject', zh: '随访记录必须关联已存在的患者', en: 'A follow-up record needs an existing patient as its subject' })], 422);
    }
    qr.id ??= randomUUID();
    const visitDate = answers(qr.item, 'visit-date')[0]?.valueDate ?? qr.authored?.slice(0, 10) ?? new Date().toISOString().slice(0, 10);
    const { control, emergencies, next } = assessVisit(form.disease, visitOf(qr), visitDate);
    setExtension(qr, { url: CONTROL_EXTENSION, valueCode: control });
    const chosen = answers(qr.item, 'next-visit-date')[0]?.valueDate;
    if (!chosen) setAnswer(qr, 'next-visit-date', { valueDate: next });
    const nextDate = chosen ?? next;

    const earlier = (await searchAll<QuestionnaireResponse>(q, 'QuestionnaireResponse', [['subject', `Patient/${patient.id}`], ['questionnaire', form.questionnaire.url as string]]))
      .filter((r) => r.id !== qr.id)
      .sort((a, b) => (b.authored ?? '').localeCompare(a.authored ?? ''));
    const streak = FOLLOW_UP_RULES[form.disease].referAfterUncontrolled - 1;
    const uncontrolledRun = control === 'uncontrolled' && earlier.length >= streak && earlier.slice(0, streak).every((r) => controlOf(r) !== 'controlled');

    const disease = form.questionnaire.code?.[0];
    const open = await searchAll<Task>(q, 'Task', [['patient', `Patient/${patient.id}`], ['code', `${TASK_CODE_SYSTEM}|chronic-follow-up`], ['status', 'requested']]);
    for (const t of open.filter((t) => t.reasonCode?.coding?.[0]?.code === disease?.code)) {
      await ctx.repo.update(q, { ...t, status: 'completed', businessStatus: { coding: [{ system: FOLLOW_UP_STATE_SYSTEM, code: 'done' }], text: '已随访 | Visit done' }, output: [{ type: { text: 'visit' }, valueReference: { reference: `QuestionnaireResponse/${qr.id}` } }] });
    }
    const task: Task = {
      resourceType: 'Task',
      meta: { tag: [{ system: REGISTRY_TAG_SYSTEM, code: CHRONIC }] },
      status: 'requested',
      intent: 'plan',
      code: { coding: [{ system: TASK_CODE_SYSTEM, code: 'chronic-follow-up', display: '慢病随访 | Chronic disease follow-up' }] },
      businessStatus: { coding: [{ system: FOLLOW_UP_STATE_SYSTEM, code: 'scheduled' }], text: '待随访 | Follow-up scheduled' },
      ...(disease ? { reasonCode: { coding: [disease] } } : {}),
      focus: { reference: `QuestionnaireResponse/${qr.id}` },
      for: { reference: `Patient/${patient.id}` },
      authoredOn: new Date().toISOString(),
      executionPeriod: { start: nextDate },
    };
    await ctx.repo.create(q, task);

    const issues: EdgeIssue[] = [{ severity: 'information', code: 'informational', id: 'CF-NEXT', expression: 'QuestionnaireResponse.item', zh: `本次随访评估：${control === 'controlled' ? '控制满意' : control === 'emergency' ? '危急' : '控制不满意'}；下次随访日期 ${nextDate}`, en: `Visit assessed as ${control}; next follow-up on ${nextDate}` }];
    if (control === 'emergency') issues.push(await refer(ctx, q, principal, qr, patient, `紧急转诊：${emergencies.map((e) => e.zh).join('；')} | Emergency referral: ${emergencies.map((e) => e.en).join('; ')}`));
    else if (uncontrolledRun) issues.push(await refer(ctx, q, principal, qr, patient, '连续两次随访控制不满意 | Not controlled at two follow-ups in a row'));
    return issues;
  },
};
