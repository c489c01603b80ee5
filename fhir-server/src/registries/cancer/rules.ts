import type { Condition, Patient } from '@medplum/fhirtypes';
import { BASIS_SYSTEM, DIAGNOSIS_BASIS, site, type CaseFields } from './model.js';
import { ICD10_EQUALS_TOPOGRAPHY, SEX_SPECIFIC_SITES, inRange, isSystemic } from './sites.js';

/** What a named check sees: the case, its patient (when found), its fields, and the ICD-O-3 verdicts of the terminology service. */
export interface CaseInput {
  condition: Condition;
  patient?: Patient;
  fields: CaseFields;
  /** `valid`, `invalid` (the loaded ICD-O-3 is complete and lacks the code) or `unchecked` (only a subset is loaded). */
  icdo3: (code: string) => 'valid' | 'invalid' | 'unchecked';
  /** Today, `YYYY-MM-DD`. */
  today: string;
}

/** A failed check's message parameters; `undefined` when the case passes. */
type Params = Record<string, string>;

/**
 * One quality rule (质控规则). `fhirpath` rules pass when the expression, evaluated on the
 * Condition with `%patient` bound, is true; `check` rules are named functions for what FHIRPath
 * cannot say (the terminology service, date arithmetic, site tables). `severity` error blocks the
 * submission (422), warning lets it through (201 with the warning). `expression` is where the
 * issue points; `optional` marks the fields the completeness KPI counts.
 */
export interface QualityRule {
  id: string;
  severity: 'error' | 'warning';
  zh: string;
  en: string;
  expression: string;
  fhirpath?: string;
  check?: (c: CaseInput) => Params | undefined;
  optional?: boolean;
}

const TOPOGRAPHY = /^C(\d\d)\.\d$/;
const MORPHOLOGY = /^\d{4}\/[0-369]$/;
const BASIS_CODES = new Set(DIAGNOSIS_BASIS.map((b) => b.code));

function icdo3Verdict(c: CaseInput, code: string | undefined, verdict: 'invalid' | 'unchecked'): Params | undefined {
  return code && c.icdo3(code) === verdict ? { code } : undefined;
}

export const CANCER_RULES: readonly QualityRule[] = [
  // blocking: what the registry cannot count without
  { id: 'CR-E01', severity: 'error', zh: '缺少 ICD-10 诊断编码', en: 'The ICD-10 diagnosis code is missing', expression: 'Condition.code', check: (c) => (c.fields.icd10 ? undefined : {}) },
  { id: 'CR-E02', severity: 'error', zh: '缺少 ICD-O-3 解剖部位编码', en: 'The ICD-O-3 topography code is missing', expression: 'Condition.bodySite', check: (c) => (c.fields.topography ? undefined : {}) },
  { id: 'CR-E03', severity: 'error', zh: '缺少 ICD-O-3 形态学/行为编码', en: 'The ICD-O-3 morphology/behaviour code is missing', expression: 'Condition.extension', check: (c) => (c.fields.morphology ? undefined : {}) },
  { id: 'CR-E04', severity: 'error', zh: '缺少诊断依据，或诊断依据代码无效（{system}）', en: 'The basis of diagnosis is missing or not a valid code ({system})', expression: 'Condition.extension', check: (c) => (c.fields.basis && BASIS_CODES.has(c.fields.basis) ? undefined : { system: BASIS_SYSTEM }) },
  { id: 'CR-E05', severity: 'error', zh: '缺少首次诊断日期（onsetDateTime）', en: 'The date of first diagnosis (onsetDateTime) is missing', expression: 'Condition.onset', fhirpath: 'onset.exists()' },
  { id: 'CR-E06', severity: 'error', zh: '病例的患者不存在：{ref}', en: 'The case\'s patient does not exist: {ref}', expression: 'Condition.subject', check: (c) => (c.patient ? undefined : { ref: c.condition.subject?.reference ?? '' }) },
  {
    id: 'CR-E07', severity: 'error', zh: 'ICD-O-3 解剖部位编码格式无效：{code}（应为 C00.0–C80.9）', en: 'Invalid ICD-O-3 topography code: {code} (expected C00.0–C80.9)', expression: 'Condition.bodySite',
    check: (c) => {
      const t = c.fields.topography;
      const m = t ? TOPOGRAPHY.exec(t) : null;
      return t && (!m || Number(m[1]) > 80) ? { code: t } : undefined;
    },
  },
  { id: 'CR-E08', severity: 'error', zh: 'ICD-O-3 形态学编码格式无效：{code}（应为 NNNN/B，行为码 0–3、6、9）', en: 'Invalid ICD-O-3 morphology code: {code} (expected NNNN/B, behaviour 0–3, 6 or 9)', expression: 'Condition.extension', check: (c) => (c.fields.morphology && !MORPHOLOGY.test(c.fields.morphology) ? { code: c.fields.morphology } : undefined) },
  { id: 'CR-E09', severity: 'error', zh: 'ICD-O-3 代码表中没有解剖部位编码 {code}', en: 'ICD-O-3 has no topography code {code}', expression: 'Condition.bodySite', check: (c) => icdo3Verdict(c, c.fields.topography, 'invalid') },
  { id: 'CR-E10', severity: 'error', zh: 'ICD-O-3 代码表中没有形态学编码 {code}', en: 'ICD-O-3 has no morphology code {code}', expression: 'Condition.extension', check: (c) => icdo3Verdict(c, c.fields.morphology, 'invalid') },
  {
    id: 'CR-E11', severity: 'error', zh: '性别与部位矛盾：{site}（{organ}）不可能见于性别为 {gender} 的患者', en: 'Sex–site conflict: {site} ({organEn}) is impossible in a patient of gender {gender}', expression: 'Condition.bodySite',
    check: (c) => {
      const gender = c.patient?.gender;
      if (gender !== 'male' && gender !== 'female') return undefined;
      for (const code of [c.fields.topography, c.fields.icd10]) {
        const rule = SEX_SPECIFIC_SITES.find((s) => inRange(code, [s]) && s.gender !== gender);
        if (rule && code) return { site: code, organ: rule.zh, organEn: rule.en, gender };
      }
      return undefined;
    },
  },
  {
    id: 'CR-E12', severity: 'error', zh: '诊断日期 {date} 早于出生日期 {birth}', en: 'The diagnosis date {date} is before the birth date {birth}', expression: 'Condition.onset',
    check: (c) => {
      const birth = c.patient?.birthDate;
      const date = c.fields.diagnosed;
      return birth && date && date < birth ? { date, birth } : undefined;
    },
  },
  {
    id: 'CR-E13', severity: 'error', zh: '诊断日期 {date} 晚于死亡日期 {death}', en: 'The diagnosis date {date} is after the date of death {death}', expression: 'Condition.onset',
    check: (c) => {
      const death = c.patient?.deceasedDateTime?.slice(0, 10);
      const date = c.fields.diagnosed;
      return death && date && date > death ? { date, death } : undefined;
    },
  },
  { id: 'CR-E14', severity: 'error', zh: '诊断日期 {date} 晚于今天', en: 'The diagnosis date {date} is in the future', expression: 'Condition.onset', check: (c) => (c.fields.diagnosed && c.fields.diagnosed > c.today ? { date: c.fields.diagnosed } : undefined) },
  {
    id: 'CR-E15', severity: 'error', zh: 'ICD-10 编码 {icd10} 与 ICD-O-3 部位 {topography} 不一致（三位类目应相同）', en: 'ICD-10 code {icd10} does not agree with ICD-O-3 topography {topography} (the three-character categories should be equal)', expression: 'Condition.code',
    check: (c) => {
      const { icd10, topography, morphology } = c.fields;
      if (!icd10 || !topography || isSystemic(morphology) || !inRange(icd10, ICD10_EQUALS_TOPOGRAPHY)) return undefined;
      return site(icd10) === site(topography) ? undefined : { icd10, topography };
    },
  },
  { id: 'CR-E16', severity: 'error', zh: '行为码 /6 或 /9 表示转移灶：登记时应编码原发部位并使用 /3', en: 'Behaviour /6 or /9 denotes a metastasis: register the primary site with behaviour /3', expression: 'Condition.extension', check: (c) => (c.fields.morphology && /\/[69]$/.test(c.fields.morphology) ? {} : undefined) },
  { id: 'CR-E17', severity: 'error', zh: '缺少上报机构（扩展 registry-reporting-organization，或令牌所属机构）', en: 'The reporting institution is missing (extension registry-reporting-organization, or the token\'s organisation)', expression: 'Condition.extension', check: (c) => (c.fields.reporter ? undefined : {}) },
  // warnings: the case is counted, but someone should look
  { id: 'CR-W01', severity: 'warning', zh: 'ICD-O-3 只加载了部分内容，无法确认编码 {code}', en: 'Only part of ICD-O-3 is loaded: code {code} cannot be checked', expression: 'Condition.bodySite', check: (c) => icdo3Verdict(c, c.fields.topography, 'unchecked') ?? icdo3Verdict(c, c.fields.morphology, 'unchecked') },
  { id: 'CR-W02', severity: 'warning', zh: '行为码 /0 或 /1（良性或交界性）通常不属于恶性肿瘤登记范围', en: 'Behaviour /0 or /1 (benign or uncertain) is usually not reportable', expression: 'Condition.extension', check: (c) => (c.fields.morphology && /\/[01]$/.test(c.fields.morphology) ? {} : undefined) },
  {
    id: 'CR-W03', severity: 'warning', zh: '诊断依据为病理/细胞学，但未关联病理报告（evidence）', en: 'The basis of diagnosis is microscopic but no pathology report is linked (evidence)', expression: 'Condition.evidence',
    check: (c) => (DIAGNOSIS_BASIS.find((b) => b.code === c.fields.basis)?.microscopic && !c.condition.evidence?.some((e) => e.detail?.some((d) => d.reference?.startsWith('DiagnosticReport/'))) ? {} : undefined),
  },
  { id: 'CR-W04', severity: 'warning', zh: '诊断依据为“不详”', en: 'The basis of diagnosis is unknown', expression: 'Condition.extension', check: (c) => (c.fields.basis === '9' ? {} : undefined) },
  { id: 'CR-W05', severity: 'warning', zh: '患者性别缺失或不详', en: 'The patient\'s gender is missing or unknown', expression: 'Patient.gender', check: (c) => (c.patient && c.patient.gender !== 'male' && c.patient.gender !== 'female' ? {} : undefined) },
  // optional fields: warnings that also make up the completeness KPI
  { id: 'CR-O01', severity: 'warning', optional: true, zh: '缺少 TNM 分期', en: 'The TNM stage is missing', expression: 'Condition.stage', fhirpath: 'stage.exists()' },
  { id: 'CR-O02', severity: 'warning', optional: true, zh: '缺少诊断证据（病理报告或检查）', en: 'No evidence (pathology report or examination) is linked', expression: 'Condition.evidence', fhirpath: 'evidence.exists()' },
  { id: 'CR-O03', severity: 'warning', optional: true, zh: '缺少登记日期（recordedDate）', en: 'The recorded date is missing', expression: 'Condition.recordedDate', fhirpath: 'recordedDate.exists()' },
  { id: 'CR-O04', severity: 'warning', optional: true, zh: '患者缺少居民身份证号', en: 'The patient has no resident ID number', expression: 'Patient.identifier', fhirpath: "%patient.empty() or %patient.identifier.where(system = 'urn:oid:2.16.156.10011.1.3').exists()" },
  { id: 'CR-O05', severity: 'warning', optional: true, zh: '患者缺少现住址', en: 'The patient has no address', expression: 'Patient.address', fhirpath: '%patient.empty() or %patient.address.exists()' },
  { id: 'CR-O06', severity: 'warning', optional: true, zh: '患者缺少联系电话', en: 'The patient has no telephone number', expression: 'Patient.telecom', fhirpath: "%patient.empty() or %patient.telecom.where(system = 'phone').exists()" },
];
