import type { Condition, Observation, Patient, Task } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { readAs, searchAs } from '../fhir-calls.js';
import { CANCER, caseFields, DIAGNOSIS_BASIS, EXT, extension, REGISTRY_TAG_SYSTEM, TNM_LOINC } from './model.js';
import { FOLLOW_UP_STATE_SYSTEM, REVIEW_STATE_SYSTEM, TASK_CODE_SYSTEM, taskCode } from './tasks.js';

/** The registration card (肿瘤登记报告卡) columns, in order, with bilingual headers. */
export const CARD_COLUMNS: readonly { key: string; zh: string; en: string }[] = [
  { key: 'caseId', zh: '报告卡编号', en: 'Case id' },
  { key: 'institution', zh: '报告单位', en: 'Reporting institution' },
  { key: 'patientId', zh: '患者编号', en: 'Patient id' },
  { key: 'name', zh: '姓名', en: 'Name' },
  { key: 'residentId', zh: '身份证号', en: 'Resident ID' },
  { key: 'sex', zh: '性别', en: 'Sex' },
  { key: 'birthDate', zh: '出生日期', en: 'Birth date' },
  { key: 'address', zh: '现住址', en: 'Address' },
  { key: 'icd10', zh: 'ICD-10', en: 'ICD-10' },
  { key: 'topography', zh: '部位（ICD-O-3）', en: 'Topography (ICD-O-3)' },
  { key: 'morphology', zh: '形态学（ICD-O-3）', en: 'Morphology (ICD-O-3)' },
  { key: 'basis', zh: '最高诊断依据', en: 'Basis of diagnosis' },
  { key: 'diagnosed', zh: '诊断日期', en: 'Date of diagnosis' },
  { key: 'stage', zh: 'TNM 分期', en: 'TNM stage' },
  { key: 'sequence', zh: '原发肿瘤序号', en: 'Primary sequence' },
  { key: 'duplicateOf', zh: '疑似重复', en: 'Possible duplicate of' },
  { key: 'review', zh: '审核状态', en: 'Review state' },
  { key: 'followUp', zh: '随访状态', en: 'Follow-up state' },
  { key: 'deathDate', zh: '死亡日期', en: 'Date of death' },
  { key: 'recorded', zh: '报告日期', en: 'Date reported' },
];

export type Card = Record<string, string>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function one(req: FhirRequest, name: string): string | undefined {
  return req.query.find(([n]) => n === name)?.[1];
}

function stageText(condition: Condition, observations: Map<string, Observation>): string {
  const direct = condition.stage?.map((s) => s.summary?.text ?? s.summary?.coding?.[0]?.code).filter(Boolean).join(' ');
  if (direct) return direct;
  return (condition.stage ?? [])
    .flatMap((s) => s.assessment ?? [])
    .map((a) => {
      const o = observations.get(a.reference ?? '');
      const value = o?.valueCodeableConcept?.text ?? o?.valueCodeableConcept?.coding?.[0]?.code;
      const label = TNM_LOINC[o?.code?.coding?.find((c) => c.system === 'http://loinc.org')?.code ?? '']?.zh;
      return value ? (label ? `${label} ${value}` : value) : '';
    })
    .filter(Boolean)
    .join('；');
}

function cardOf(condition: Condition, patient: Patient | undefined, tasks: Task[], observations: Map<string, Observation>): Card {
  const f = caseFields(condition);
  const mine = tasks.filter((t) => t.focus?.reference === `Condition/${condition.id}`);
  const state = (code: string, system: string) => mine.find((t) => taskCode(t) === code)?.businessStatus?.coding?.find((c) => c.system === system)?.code ?? '';
  const basis = DIAGNOSIS_BASIS.find((b) => b.code === f.basis);
  const name = patient?.name?.[0];
  return {
    caseId: condition.id ?? '',
    institution: f.reporter ?? '',
    patientId: f.patientId ?? '',
    name: name ? (name.text ?? `${name.family ?? ''}${(name.given ?? []).join('')}`) : '',
    residentId: patient?.identifier?.find((i) => i.system === 'urn:oid:2.16.156.10011.1.3')?.value ?? '',
    sex: patient?.gender ?? '',
    birthDate: patient?.birthDate ?? '',
    address: patient?.address?.[0]?.text ?? [patient?.address?.[0]?.city, patient?.address?.[0]?.district].filter(Boolean).join(' '),
    icd10: f.icd10 ?? '',
    topography: f.topography ?? '',
    morphology: f.morphology ?? '',
    basis: basis ? `${basis.code} ${basis.zh}` : (f.basis ?? ''),
    diagnosed: f.diagnosed ?? '',
    stage: stageText(condition, observations),
    sequence: String(extension(condition, EXT.sequence)?.valueInteger ?? ''),
    duplicateOf: extension(condition, EXT.duplicateOf)?.valueReference?.reference ?? '',
    review: state('registry-review', REVIEW_STATE_SYSTEM),
    followUp: state('registry-follow-up', FOLLOW_UP_STATE_SYSTEM),
    deathDate: patient?.deceasedDateTime?.slice(0, 10) ?? '',
    recorded: condition.recordedDate?.slice(0, 10) ?? '',
  };
}

/**
 * The cards of one case (`Condition/{id}/$registry-card`) or of the cases diagnosed in a period
 * (`Condition/$registry-card?from=&to=[&organization=]`), read with the caller's access and masking.
 */
export async function registryCards(ctx: Context, q: Queryable, req: FhirRequest, id: string | undefined): Promise<Card[]> {
  let conditions: Condition[];
  if (id) {
    const c = await readAs<Condition>(ctx, q, req, 'Condition', id);
    if (!c.meta?.tag?.some((t) => t.system === REGISTRY_TAG_SYSTEM && t.code === CANCER)) {
      throw new FhirError('registry.not-a-case', { ref: `Condition/${id}`, tag: `${REGISTRY_TAG_SYSTEM}|${CANCER}` }, 'Condition.meta.tag');
    }
    conditions = [c];
  } else {
    const params: [string, string][] = [['_tag', `${REGISTRY_TAG_SYSTEM}|${CANCER}`]];
    for (const [name, prefix] of [['from', 'ge'], ['to', 'le']] as const) {
      const value = one(req, name);
      if (value === undefined) continue;
      if (!DATE.test(value)) throw new FhirError('registry.param-invalid', { name, value }, name);
      params.push(['onset-date', `${prefix}${value}`]);
    }
    const org = one(req, 'organization');
    conditions = (await searchAs<Condition>(ctx, q, req, 'Condition', params)).filter((c) => !org || caseFields(c).reporter === org);
  }
  if (conditions.length === 0) return [];
  const focus = conditions.map((c) => `Condition/${c.id}`).join(',');
  const tasks = await searchAs<Task>(ctx, q, req, 'Task', [['focus', focus], ['code', ['registry-review', 'registry-follow-up'].map((c) => `${TASK_CODE_SYSTEM}|${c}`).join(',')]]);
  const patientIds = [...new Set(conditions.map((c) => caseFields(c).patientId).filter((p): p is string => !!p))];
  const patients = new Map((await searchAs<Patient>(ctx, q, req, 'Patient', [['_id', patientIds.join(',')]])).map((p) => [p.id, p]));
  const stageRefs = [...new Set(conditions.flatMap((c) => (c.stage ?? []).flatMap((s) => s.assessment ?? []).map((a) => a.reference ?? '')).filter((r) => r.startsWith('Observation/')))];
  const observations = new Map(
    stageRefs.length ? (await searchAs<Observation>(ctx, q, req, 'Observation', [['_id', stageRefs.map((r) => r.slice('Observation/'.length)).join(',')]])).map((o) => [`Observation/${o.id}`, o]) : [],
  );
  return conditions.map((c) => cardOf(c, patients.get(caseFields(c).patientId ?? ''), tasks, observations));
}

function csvCell(value: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet: quoted with a leading apostrophe.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV with a UTF-8 BOM (for spreadsheet programs) and bilingual headers `中文 English`. */
export function cardsCsv(cards: readonly Card[]): string {
  const header = CARD_COLUMNS.map((c) => csvCell(`${c.zh} ${c.en}`)).join(',');
  const rows = cards.map((card) => CARD_COLUMNS.map((c) => csvCell(card[c.key] ?? '')).join(','));
  return `\uFEFF${[header, ...rows].join('\r\n')}\r\n`;
}
