import type { CodeableConcept, Condition, Extension, Resource } from '@medplum/fhirtypes';
import { NATIONAL } from '@qiao/terminology';

/**
 * The shape of a cancer registry case (docs/registries.md): one Condition tagged
 * `registry|cancer`, with ICD-10 in `code`, the ICD-O-3 topography in `bodySite`, the ICD-O-3
 * morphology/behaviour and the diagnosis basis as extensions, the date of first diagnosis in
 * `onsetDateTime`, TNM Observations and the pathology DiagnosticReport in `evidence`/`stage`.
 */
export const REGISTRY_TAG_SYSTEM = 'https://qiao.health/fhir/CodeSystem/registry';
export const CANCER = 'cancer';
export const SD = 'https://qiao.health/fhir/StructureDefinition/';
export const EXT = {
  morphology: `${SD}cancer-morphology-behaviour`,
  basis: `${SD}cancer-diagnosis-basis`,
  reporter: `${SD}registry-reporting-organization`,
  sequence: `${SD}registry-primary-sequence`,
  duplicateOf: `${SD}registry-duplicate-of`,
} as const;
export const BASIS_SYSTEM = 'https://qiao.health/fhir/CodeSystem/cancer-diagnosis-basis';
export const ICDO3 = NATIONAL.icdo3;
export const ICD10_SYSTEMS: readonly string[] = [NATIONAL.icd10cn, NATIONAL.icd10];

/**
 * Most valid basis of diagnosis (诊断依据), the ICD-O-3 / IARC codes as cancer registries use them
 * (0 death certificate only … 7 histology of the primary, 9 unknown); 5–8 are microscopically verified.
 */
export const DIAGNOSIS_BASIS: readonly { code: string; zh: string; en: string; microscopic: boolean }[] = [
  { code: '0', zh: '仅有死亡医学证明书', en: 'Death certificate only', microscopic: false },
  { code: '1', zh: '临床', en: 'Clinical', microscopic: false },
  { code: '2', zh: '临床辅助检查（X线、内镜、影像、超声、探查手术、无病理的尸检）', en: 'Clinical investigation', microscopic: false },
  { code: '4', zh: '特异性肿瘤标志物', en: 'Specific tumour markers', microscopic: false },
  { code: '5', zh: '细胞学', en: 'Cytology', microscopic: true },
  { code: '6', zh: '转移灶病理', en: 'Histology of a metastasis', microscopic: true },
  { code: '7', zh: '原发灶病理', en: 'Histology of the primary tumour', microscopic: true },
  { code: '8', zh: '病理（原发或转移不详）', en: 'Histology, primary or metastasis unknown', microscopic: true },
  { code: '9', zh: '不详', en: 'Unknown', microscopic: false },
];

/** LOINC codes of the TNM clinical and pathological classes and stage groups. */
export const TNM_LOINC: Readonly<Record<string, { zh: string; en: string }>> = {
  '21905-5': { zh: '原发肿瘤（临床 T）', en: 'Primary tumour, clinical (T)' },
  '21906-3': { zh: '区域淋巴结（临床 N）', en: 'Regional lymph nodes, clinical (N)' },
  '21907-1': { zh: '远处转移（临床 M）', en: 'Distant metastases, clinical (M)' },
  '21908-9': { zh: '临床分期', en: 'Stage group, clinical' },
  '21899-0': { zh: '原发肿瘤（病理 pT）', en: 'Primary tumour, pathological (pT)' },
  '21900-6': { zh: '区域淋巴结（病理 pN）', en: 'Regional lymph nodes, pathological (pN)' },
  '21901-4': { zh: '远处转移（病理 pM）', en: 'Distant metastases, pathological (pM)' },
  '21902-2': { zh: '病理分期', en: 'Stage group, pathological' },
};

export function isCancerCase(resource: Resource): resource is Condition {
  return resource.resourceType === 'Condition' && !!resource.meta?.tag?.some((t) => t.system === REGISTRY_TAG_SYSTEM && t.code === CANCER);
}

export function extension(resource: { extension?: Extension[] }, url: string): Extension | undefined {
  return resource.extension?.find((e) => e.url === url);
}

export function setExtension(resource: { extension?: Extension[] }, value: Extension): void {
  resource.extension = [...(resource.extension ?? []).filter((e) => e.url !== value.url), value];
}

function codeIn(concept: CodeableConcept | undefined, systems: readonly string[]): string | undefined {
  return concept?.coding?.find((c) => c.system !== undefined && systems.includes(c.system) && c.code)?.code;
}

/** The registry fields of a case, read once for the rules, the duplicate check, the card and the KPIs. */
export interface CaseFields {
  icd10?: string;
  topography?: string;
  morphology?: string;
  basis?: string;
  /** Date of first diagnosis, `YYYY-MM-DD`. */
  diagnosed?: string;
  patientId?: string;
  reporter?: string;
}

export function caseFields(condition: Condition): CaseFields {
  const morph = extension(condition, EXT.morphology)?.valueCodeableConcept;
  const basis = extension(condition, EXT.basis)?.valueCodeableConcept;
  const subject = condition.subject?.reference;
  const onset = condition.onsetDateTime ?? condition.recordedDate;
  const f: CaseFields = {};
  const icd10 = codeIn(condition.code, ICD10_SYSTEMS);
  if (icd10) f.icd10 = icd10;
  const topo = condition.bodySite?.map((b) => codeIn(b, [ICDO3])).find(Boolean);
  if (topo) f.topography = topo;
  const m = codeIn(morph, [ICDO3]);
  if (m) f.morphology = m;
  const b = codeIn(basis, [BASIS_SYSTEM]);
  if (b) f.basis = b;
  if (onset) f.diagnosed = onset.slice(0, 10);
  if (subject?.startsWith('Patient/')) f.patientId = subject.slice('Patient/'.length);
  const reporter = extension(condition, EXT.reporter)?.valueReference?.reference;
  if (reporter) f.reporter = reporter;
  return f;
}

/** The three-character site (`C50`) of an ICD-O-3 topography or ICD-10 code. */
export function site(code: string | undefined): string | undefined {
  return code && /^[A-Z]\d\d/.test(code) ? code.slice(0, 3) : undefined;
}
