import type { CodeSystem, SearchParameter } from '@medplum/fhirtypes';
import { registerSearchParameters } from '../../search/search-parameters.js';
import { STATES } from './machine.js';

/** The codes and canonical URLs of the referral workflow, and the conformance resources it ships. */
const BASE = 'https://qiao.health/fhir';

export const SNOMED = 'http://snomed.info/sct';
/** SNOMED CT 3457005 "Patient referral": ServiceRequest.category and Task.code of every referral. */
export const REFERRAL_CODE = '3457005';
export const REFERRAL_CODING = { system: SNOMED, code: REFERRAL_CODE, display: 'Patient referral' } as const;

export const STATUS_SYSTEM = `${BASE}/CodeSystem/referral-status`;
export const TYPE_SYSTEM = `${BASE}/CodeSystem/referral-type`;
export const LEVEL_SYSTEM = `${BASE}/CodeSystem/care-level`;
/** Slot.serviceCategory of a slot an organisation keeps for referrals (配额模式, 绿色通道). */
export const RESOURCE_SYSTEM = `${BASE}/CodeSystem/referral-resource`;

export const STEP_EXTENSION = `${BASE}/StructureDefinition/referral-step`;
export const SETTINGS_EXTENSION = `${BASE}/StructureDefinition/referral-settings`;

/** ServiceRequest `supporting-info`: what travels with a referral, for the access rule of the receiving organisation. */
export const SUPPORTING_INFO_PARAM = 'supporting-info';

export const REFERRAL_TYPES = [
  { code: 'outpatient', zh: '门诊转诊', en: 'Outpatient referral' },
  { code: 'inpatient', zh: '住院转诊', en: 'Inpatient referral' },
  { code: 'examination', zh: '检查转诊', en: 'Examination referral' },
] as const;

/** Care levels by rank: a referral to a higher rank is upward (上转), to a lower one downward (下转). */
export const CARE_LEVELS = [
  { code: 'primary', rank: 1, zh: '基层医疗卫生机构（乡镇卫生院、社区卫生服务中心）', en: 'Primary care (township health centre, community health centre)' },
  { code: 'secondary', rank: 2, zh: '二级医院（县级医院）', en: 'Secondary hospital (county hospital)' },
  { code: 'tertiary', rank: 3, zh: '三级医院', en: 'Tertiary hospital' },
] as const;

export const RESOURCE_MODES = [
  { code: 'quota', zh: '配额模式（绿色通道）', en: 'Quota slots (green channel)' },
  { code: 'online', zh: '在线预约模式', en: 'Online booking' },
] as const;

const codeSystem = (id: string, url: string, title: string, concepts: readonly { code: string; zh: string; en: string }[], extra: Partial<CodeSystem> = {}): CodeSystem => ({
  resourceType: 'CodeSystem',
  id,
  url,
  version: '1.0.0',
  name: id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
  title,
  status: 'active',
  content: 'complete',
  caseSensitive: true,
  count: concepts.length,
  ...extra,
  concept: concepts.map((c) => ({
    code: c.code,
    display: c.zh,
    designation: [{ language: 'en', value: c.en }],
  })),
});

/** The businessStatus codes of a referral Task, generated from the state table. */
export function statusCodeSystem(): CodeSystem {
  return codeSystem('referral-status', STATUS_SYSTEM, '转诊状态 | Referral status', STATES, {
    description: '双向转诊任务的业务状态；允许的转换见 docs/workflows.md | Business status of a two-way referral Task; the allowed transitions are in docs/workflows.md',
  });
}

export function conformanceResources(): (CodeSystem | SearchParameter)[] {
  return [
    statusCodeSystem(),
    codeSystem('referral-type', TYPE_SYSTEM, '转诊类型 | Referral type', REFERRAL_TYPES),
    codeSystem('care-level', LEVEL_SYSTEM, '医疗机构层级 | Care level of an organisation', CARE_LEVELS),
    codeSystem('referral-resource', RESOURCE_SYSTEM, '转诊号源模式 | Referral booking mode', RESOURCE_MODES),
    SUPPORTING_INFO_SEARCH,
  ];
}

export const SUPPORTING_INFO_SEARCH: SearchParameter = {
  resourceType: 'SearchParameter',
  id: 'ServiceRequest-supporting-info',
  url: `${BASE}/SearchParameter/ServiceRequest-supporting-info`,
  name: 'supporting-info',
  status: 'active',
  description: '转诊携带的资料（ServiceRequest.supportingInfo） | What travels with the request (ServiceRequest.supportingInfo)',
  code: SUPPORTING_INFO_PARAM,
  base: ['ServiceRequest'],
  type: 'reference',
  expression: 'ServiceRequest.supportingInfo',
};

// Indexed from the first write on: the access rule of a receiving organisation follows it.
registerSearchParameters([SUPPORTING_INFO_SEARCH]);
