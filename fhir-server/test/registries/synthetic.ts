import type { CodeSystem, Condition, DiagnosticReport, Observation, Organization, Patient } from '@medplum/fhirtypes';
import { BASIS_SYSTEM, CANCER, EXT, ICDO3, REGISTRY_TAG_SYSTEM } from '../../src/registries/cancer/model.js';
import { call } from '../support/http.js';

/**
 * Deterministic synthetic registry data: hospitals, patients and cancer cases built from a seed,
 * so every test knows exactly what it submitted. Nothing here comes from real people.
 */
export const ICD10CN = 'urn:oid:2.16.156.10011.2.3.3.11';
export const RESIDENT_ID = 'urn:oid:2.16.156.10011.1.3';

/** A complete ICD-O-3 table for the tests (a deployment imports the licensed full file): only these codes exist. */
export const TEST_ICDO3: CodeSystem = {
  resourceType: 'CodeSystem',
  url: ICDO3,
  version: '3.2-test',
  name: 'ICDO3Test',
  status: 'active',
  content: 'complete',
  concept: [
    ['C16.9', '胃'], ['C18.7', '乙状结肠'], ['C18.9', '结肠'], ['C20.9', '直肠'], ['C22.0', '肝'], ['C34.1', '肺上叶'], ['C34.9', '肺'], ['C44.9', '皮肤'],
    ['C50.9', '乳腺'], ['C53.9', '子宫颈'], ['C56.9', '卵巢'], ['C61.9', '前列腺'], ['C62.9', '睾丸'], ['C73.9', '甲状腺'],
    ['8000/3', '恶性肿瘤'], ['8010/2', '原位癌'], ['8070/3', '鳞状细胞癌'], ['8140/3', '腺癌'], ['8170/3', '肝细胞癌'], ['8500/3', '浸润性导管癌'],
    ['8720/3', '恶性黑色素瘤'], ['9680/3', '弥漫性大B细胞淋巴瘤'], ['9861/3', '急性髓系白血病'], ['8140/6', '腺癌，转移性'], ['8000/1', '交界性肿瘤'],
  ].map(([code, display]) => ({ code: code as string, display: display as string })),
};

/** A small linear congruential generator: the same seed gives the same data on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function hospital(n: number, partOf?: string): Organization {
  return { resourceType: 'Organization', name: `测试医院${n} | Test hospital ${n}`, identifier: [{ system: 'urn:oid:2.16.156.10011.1.5', value: `12330000MB${String(n).padStart(7, '0')}X` }], ...(partOf ? { partOf: { reference: partOf } } : {}) };
}

export function patient(n: number, gender: 'male' | 'female', birthDate: string, extra: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: RESIDENT_ID, value: `33010${String(n).padStart(4, '0')}${birthDate.replace(/-/g, '').slice(0, 8)}${String(n % 1000).padStart(3, '0')}`.slice(0, 17) + 'X' }],
    name: [{ text: `测试患者${n}`, family: '测试', given: [`患者${n}`] }],
    telecom: [{ system: 'phone', value: `1380000${String(n).padStart(4, '0')}` }],
    address: [{ text: `浙江省杭州市测试路${n}号`, city: '杭州市', district: '西湖区' }],
    gender,
    birthDate,
    ...extra,
  };
}

export interface CaseSpec {
  patient: string;
  reporter?: string;
  icd10?: string;
  topography?: string;
  morphology?: string;
  basis?: string;
  diagnosed?: string;
  recorded?: string;
  identifier?: string;
  evidence?: string[];
  stage?: string[];
}

/** A cancer case in the registry's shape (docs/registries.md); fields left out of the spec are left out of the case. */
export function cancerCase(spec: CaseSpec): Condition {
  const extension: Condition['extension'] = [];
  if (spec.morphology) extension.push({ url: EXT.morphology, valueCodeableConcept: { coding: [{ system: ICDO3, code: spec.morphology }] } });
  if (spec.basis) extension.push({ url: EXT.basis, valueCodeableConcept: { coding: [{ system: BASIS_SYSTEM, code: spec.basis }] } });
  if (spec.reporter) extension.push({ url: EXT.reporter, valueReference: { reference: spec.reporter } });
  return {
    resourceType: 'Condition',
    meta: { tag: [{ system: REGISTRY_TAG_SYSTEM, code: CANCER }] },
    ...(extension.length ? { extension } : {}),
    ...(spec.identifier ? { identifier: [{ system: 'https://qiao.health/test/case', value: spec.identifier }] } : {}),
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
    code: { ...(spec.icd10 ? { coding: [{ system: ICD10CN, code: spec.icd10 }] } : {}), text: '恶性肿瘤' },
    ...(spec.topography ? { bodySite: [{ coding: [{ system: ICDO3, code: spec.topography }] }] } : {}),
    subject: { reference: spec.patient },
    ...(spec.diagnosed ? { onsetDateTime: spec.diagnosed } : {}),
    ...(spec.recorded ? { recordedDate: spec.recorded } : {}),
    ...(spec.evidence ? { evidence: [{ detail: spec.evidence.map((reference) => ({ reference })) }] } : {}),
    ...(spec.stage ? { stage: [{ assessment: spec.stage.map((reference) => ({ reference })) }] } : {}),
  };
}

/** A TNM Observation; `evidence` cites an imaging study or document it was derived from. */
export function tnm(patientRef: string, loinc: string, value: string, evidence?: string): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    subject: { reference: patientRef },
    valueCodeableConcept: { coding: [{ system: 'https://qiao.health/fhir/CodeSystem/ajcc-tnm', code: value }], text: value },
    ...(evidence ? { derivedFrom: [{ reference: evidence }] } : {}),
  };
}

export function pathologyReport(patientRef: string, performer: string, date: string, results: string[] = []): DiagnosticReport {
  return {
    resourceType: 'DiagnosticReport',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'SP' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '22637-3' }], text: '病理报告' },
    subject: { reference: patientRef },
    effectiveDateTime: date,
    issued: `${date}T10:00:00+08:00`,
    performer: [{ reference: performer }],
    conclusion: '腺癌 | Adenocarcinoma',
    ...(results.length ? { result: results.map((reference) => ({ reference })) } : {}),
  };
}

/** POSTs a resource and returns its `Type/id`, failing the test on anything but 201. */
export async function created(base: string, resource: { resourceType: string }): Promise<string> {
  const reply = await call(base, 'POST', resource.resourceType, resource);
  if (reply.status !== 201) throw new Error(`${resource.resourceType}: ${reply.status} ${reply.text}`);
  return `${resource.resourceType}/${reply.body.id as string}`;
}

export const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
