import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { CANONICAL, CS, cs, PACKAGE_VERSION, vs } from '../systems.js';

/**
 * The value sets the profiles bind to. National code systems are included whole (their content
 * comes from the terminology service); the package's own small code systems are shipped here.
 */
const WHOLE_SYSTEMS: readonly [id: string, title: string, systems: string[]][] = [
  ['cn-ethnicity', 'GB/T 3304 民族 | Ethnicity', [CS.ethnicity]],
  ['cn-country', 'GB/T 2659 国家和地区 | Countries', [CS.countries]],
  ['cn-occupation', 'GB/T 6565 职业 | Occupation', [CS.occupation]],
  ['cn-education', 'GB/T 4658 学历 | Education', [CS.education]],
  ['cn-division', 'GB/T 2260 行政区划 | Administrative divisions', [CS.divisions]],
  ['cn-sex', 'GB/T 2261.1 性别 | Sex', [CS.sex]],
  ['cn-marital-status', 'GB/T 2261.2 婚姻状况 | Marital status', [CS.maritalStatus]],
  ['cn-family-relation', 'GB/T 4761 家庭关系 | Family relation', [CS.familyRelation]],
  ['cn-discharge-disposition', 'WS 364 CV06.00.226 离院方式 | Discharge disposition', [CS.dischargeDisposition]],
  ['cn-icd10', 'ICD-10 国家临床版 2.0 | ICD-10 national clinical edition', [CS.icd10Cn]],
  ['cn-tcm', 'GB/T 15657 中医病证 | TCM diseases and syndromes', [CS.tcm]],
  ['cn-diagnosis', '诊断（ICD-10 国家临床版与中医病证）| Diagnoses (ICD-10 national and TCM)', [CS.icd10Cn, CS.tcm]],
  ['cn-icd9cm3', 'ICD-9-CM-3 手术操作 | Procedures', [CS.icd9Cm3]],
];

const OWN_SYSTEMS: readonly [id: string, title: string, concepts: [code: string, zh: string, en: string][]][] = [
  [
    'cn-address-type',
    '地址类别 | Address category',
    [
      ['registered', '户籍地址', 'Registered residence (hukou)'],
      ['current', '现住址', 'Current residence'],
      ['birthplace', '出生地', 'Birthplace'],
      ['native-place', '籍贯', 'Native place'],
      ['workplace', '工作单位地址', 'Workplace'],
    ],
  ],
  [
    'cn-prescription-type',
    '处方类别 | Prescription category',
    [
      ['western', '西药', 'Western medicine'],
      ['chinese-patent', '中成药', 'Chinese patent medicine'],
      ['herbal', '中药饮片', 'TCM decoction pieces'],
    ],
  ],
  [
    'cn-encounter-type',
    '就诊类型 | Encounter type',
    [
      ['outpatient', '门诊', 'Outpatient'],
      ['emergency', '急诊', 'Emergency'],
      ['inpatient', '住院', 'Inpatient'],
      ['check-up', '体检', 'Health check-up'],
    ],
  ],
];

export function valueSets(): ValueSet[] {
  const whole = WHOLE_SYSTEMS.map(([id, title, systems]): ValueSet => ({
    ...header('ValueSet', id, title),
    compose: { include: systems.map((system) => ({ system })) },
  }));
  const own = OWN_SYSTEMS.map(([id, title]): ValueSet => ({ ...header('ValueSet', id, title), compose: { include: [{ system: cs(id) }] } }));
  return [...whole, ...own];
}

export function codeSystems(): CodeSystem[] {
  return OWN_SYSTEMS.map(([id, title, concepts]): CodeSystem => ({
    ...header('CodeSystem', id, title),
    caseSensitive: true,
    content: 'complete',
    concept: concepts.map(([code, zh, en]) => ({ code, display: zh, designation: [{ language: 'en', value: en }] })),
  }));
}

function header<T extends 'ValueSet' | 'CodeSystem'>(resourceType: T, id: string, title: string) {
  return {
    resourceType,
    id,
    url: resourceType === 'ValueSet' ? vs(id) : cs(id),
    version: PACKAGE_VERSION,
    name: id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
    title,
    status: 'active' as const,
    publisher: CANONICAL,
  };
}
