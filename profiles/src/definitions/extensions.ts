import type { CompactElement, CompactProfile } from './compact.js';
import { sd, vs } from '../systems.js';

type ValueType = 'Coding' | 'CodeableConcept' | 'code' | 'string' | 'Reference';

/** A simple extension: one value of one type, bound (required) where it carries a code. */
function extension(id: string, title: string, description: string, contexts: string[], type: ValueType, valueSet?: string): CompactProfile {
  const value: CompactElement = {
    id: 'Extension.value[x]',
    min: 1,
    type: [type === 'Reference' ? { code: type, targetProfile: ['Practitioner', 'PractitionerRole'].map((t) => `http://hl7.org/fhir/StructureDefinition/${t}`) } : { code: type }],
    ...(valueSet ? { binding: { strength: 'required', valueSet } } : {}),
  };
  return {
    id,
    type: 'Extension',
    name: id.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(''),
    title,
    description,
    context: contexts.map((expression) => ({ type: 'element', expression })),
    elements: [
      { id: 'Extension', short: title },
      { id: 'Extension.extension', max: '0' },
      { id: 'Extension.url', fixedUri: sd(id) },
      value,
    ],
  };
}

export const EXTENSIONS: readonly CompactProfile[] = [
  extension('ethnicity', '民族 | Ethnicity', 'GB/T 3304 民族代码（WS 445 DE02.01.025.00）| Ethnic group by GB/T 3304', ['Patient', 'Practitioner', 'RelatedPerson'], 'Coding', vs('cn-ethnicity')),
  extension('nationality', '国籍 | Nationality', 'GB/T 2659 国家和地区代码 | Nationality by GB/T 2659', ['Patient', 'Practitioner'], 'Coding', vs('cn-country')),
  extension('occupation', '职业 | Occupation', 'GB/T 6565 职业分类与代码（DE02.01.052.00）| Occupation by GB/T 6565', ['Patient'], 'Coding', vs('cn-occupation')),
  extension('education', '学历 | Education level', 'GB/T 4658 学历代码（DE02.01.041.00）| Education level by GB/T 4658', ['Patient', 'Practitioner'], 'Coding', vs('cn-education')),
  extension(
    'division-code',
    '行政区划代码 | Administrative division code',
    'GB/T 2260 行政区划代码：省、市、县三级由 6 位代码的前 2、4、6 位确定 | GB/T 2260 division: its 2-, 4- and 6-digit prefixes give province, city and county',
    ['Address'],
    'code',
    vs('cn-division'),
  ),
  extension('township', '乡镇（街道）| Township (street office)', '县以下的乡、镇、街道名称 | Township, town or street office below the county', ['Address'], 'string'),
  extension('address-type', '地址类别 | Address category', '户籍地址、现住址、出生地等 | Registered residence (户籍), current residence, birthplace…', ['Address'], 'code', vs('cn-address-type')),
  extension('verifier', '审核者 | Verifier', '报告审核医师（WS 445 审核者）| Clinician who verified the report', ['DiagnosticReport'], 'Reference'),
  extension('prescription-type', '处方类别 | Prescription category', '西药、中成药、中药饮片 | Western medicine, Chinese patent medicine, TCM decoction pieces', ['MedicationRequest'], 'code', vs('cn-prescription-type')),
];
