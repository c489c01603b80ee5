import { randomUUID } from 'node:crypto';
import type { Condition, Patient, Provenance } from '@medplum/fhirtypes';
import type { Principal } from '../../auth/principal.js';
import { fromEdgeIssue, type EdgeIssue } from '../../errors/edge-issues.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { WriteRule } from '../../hooks/write-rules.js';
import { terminologyFor } from '../../operations/terminology/service.js';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { readOptional, searchAll } from '../store.js';
import { caseFields, CANCER, EXT, extension, isCancerCase, REGISTRY_TAG_SYSTEM, setExtension, site, type CaseFields } from './model.js';
import { evaluateCase, icdo3Checker, type Evaluation } from './quality.js';
import { FIRST_REVIEW_STATE, who } from './review.js';
import { histologyGroup, isSystemic, organOf } from './sites.js';
import { keyOfStoredCase, recordAccepted, recordRefused } from './submissions.js';
import { followUpTask, reviewTask } from './tasks.js';

export interface CaseCheck {
  evaluation: Evaluation;
  patient?: Patient;
  fields: CaseFields;
}

/** Completes the reporting institution from the token and runs the quality rules: shared by submission and `$registry-check`. */
export async function checkCase(ctx: Context, q: Queryable, condition: Condition, principal: Principal): Promise<CaseCheck> {
  if (!extension(condition, EXT.reporter) && principal.organisation) {
    setExtension(condition, { url: EXT.reporter, valueReference: { reference: principal.organisation } });
  }
  const fields = caseFields(condition);
  const patient = fields.patientId ? await readOptional<Patient>(q, ctx.repo, 'Patient', fields.patientId) : undefined;
  const evaluation = evaluateCase(condition, patient, icdo3Checker(await terminologyFor(ctx, q)));
  return { evaluation, fields, ...(patient ? { patient } : {}) };
}

/** The key of a new case: the hospital's case identifier, else patient, topography, morphology and date (a stored case keeps the key it was first accepted under). */
export function caseKey(condition: Condition, fields: CaseFields): string {
  const id = condition.identifier?.[0];
  if (id?.value) return `${id.system ?? ''}|${id.value}`;
  return `${fields.patientId ?? ''}|${fields.topography ?? ''}|${fields.morphology ?? ''}|${fields.diagnosed ?? ''}`;
}

/** Patients the MPI holds for the same person: the record itself and those it links to (see-also, merged). */
function samePerson(patient: Patient): string[] {
  const linked = (patient.link ?? []).map((l) => l.other.reference?.replace(/^Patient\//, '')).filter((id): id is string => !!id);
  return [patient.id as string, ...linked];
}

/**
 * Duplicate and multiple-primary detection (IACR/IARC 2004 rules, docs/registries.md): an earlier
 * case of the same person at the same organ (site groups counted as one) with the same
 * histological group — or any two systemic tumours — is a duplicate: the new case is kept,
 * flagged `registry-duplicate-of`, and warned about. Otherwise the case is a further primary and
 * gets its sequence number (`registry-primary-sequence`, 1 for a person's first).
 */
async function classifyPrimary(q: Queryable, condition: Condition, fields: CaseFields, patient: Patient): Promise<EdgeIssue[]> {
  const subjects = samePerson(patient).map((id) => `Patient/${id}`).join(',');
  const earlier = (await searchAll<Condition>(q, 'Condition', [['subject', subjects], ['_tag', `${REGISTRY_TAG_SYSTEM}|${CANCER}`]])).filter(
    (c) => c.id !== condition.id && !extension(c, EXT.duplicateOf),
  );
  const organ = organOf(site(fields.topography) ?? '');
  const group = histologyGroup(fields.morphology);
  const duplicate = earlier.find((c) => {
    const f = caseFields(c);
    if (isSystemic(fields.morphology) && isSystemic(f.morphology)) return true;
    return organOf(site(f.topography) ?? '') === organ && histologyGroup(f.morphology) === group;
  });
  if (duplicate) {
    setExtension(condition, { url: EXT.duplicateOf, valueReference: { reference: `Condition/${duplicate.id}` } });
    return [{
      severity: 'warning', code: 'duplicate', id: 'CR-D01', expression: 'Condition',
      zh: `疑似重复病例：与 Condition/${duplicate.id} 为同一患者、同一部位、同一组织学类型`,
      en: `Possible duplicate of Condition/${duplicate.id}: same person, same site and same histological group`,
    }];
  }
  const sequence = earlier.length + 1;
  setExtension(condition, { url: EXT.sequence, valueInteger: sequence });
  if (sequence === 1) return [];
  return [{
    severity: 'information', code: 'informational', id: 'CR-D02', expression: 'Condition',
    zh: `多原发肿瘤：该患者的第 ${sequence} 个原发肿瘤（另见 ${earlier.map((c) => `Condition/${c.id}`).join('、')}）`,
    en: `Multiple primaries: primary tumour number ${sequence} of this person (see also ${earlier.map((c) => `Condition/${c.id}`).join(', ')})`,
  }];
}

/** The trace of a correction (修改留痕): who changed the case and when, pointing at the version it creates. */
function correction(condition: Condition, previous: { meta?: { versionId?: string } }, principal: Principal): Provenance {
  return {
    resourceType: 'Provenance',
    target: [{ reference: `Condition/${condition.id}/_history/${Number(previous.meta?.versionId ?? '0') + 1}` }],
    recorded: new Date().toISOString(),
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'UPDATE', display: '修改 | revise' }] },
    agent: [{ who: who(principal), ...(principal.organisation ? { onBehalfOf: { reference: principal.organisation } } : {}) }],
  };
}

/**
 * Submission of a cancer case (a create or update of a Condition tagged `registry|cancer`): the
 * quality rules refuse it with every blocking issue (422, each with its expression) or let it
 * through with the warnings; a new case is classified as duplicate or further primary and gets
 * its review and follow-up Tasks; every submission, refused ones too, is counted for the KPIs.
 */
export const SUBMIT_RULE: WriteRule = {
  name: 'cancer-registry-submit',
  types: ['Condition'],
  async check(ctx, q, { method, resource, previous, principal }) {
    if (!isCancerCase(resource)) return;
    const condition = resource;
    const { evaluation, fields, patient } = await checkCase(ctx, q, condition, principal);
    const row = {
      registry: CANCER,
      organisation: fields.reporter ?? principal.organisation ?? 'unknown',
      caseKey: (method !== 'create' && condition.id ? await keyOfStoredCase(q, CANCER, condition.id) : undefined) ?? caseKey(condition, fields),
      evaluation,
      ...(fields.diagnosed ? { diagnosed: fields.diagnosed } : {}),
    };
    if (evaluation.errors > 0) {
      await recordRefused(ctx.db, { ...row, accepted: false });
      throw FhirError.of(evaluation.issues.map(fromEdgeIssue), 422);
    }
    condition.id ??= randomUUID();
    const issues = [...evaluation.issues];
    if (method === 'create' && patient) {
      issues.push(...(await classifyPrimary(q, condition, fields, patient)));
      const patientRef = `Patient/${patient.id}`;
      await ctx.repo.createMany(q, [reviewTask(condition.id, patientRef, fields.reporter, FIRST_REVIEW_STATE), followUpTask(condition.id, patientRef, new Date().toISOString())]);
    }
    if (previous) await ctx.repo.create(q, correction(condition, previous, principal));
    await recordAccepted(q, { ...row, accepted: true, conditionId: condition.id });
    return issues;
  },
};
