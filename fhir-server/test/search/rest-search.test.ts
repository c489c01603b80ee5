import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue, type Reply } from '../support/http.js';
import { SIGNED_STATES } from '../../src/signatures/sign.js';

/**
 * Search over HTTP, type by type, against a small hand-built data set whose expected answers are
 * written out by hand (docs/search.md is the contract). Every case names the exact set of ids.
 */

const NATIONAL_ID = 'urn:oid:2.16.156.10011.1.1';
const MRN = 'urn:oid:2.16.156.10011.1.12';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const ICD10_CN = 'urn:oid:2.16.156.10011.2.3.3.11';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const TAG = 'https://qiao.health/fhir/CodeSystem/tag';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const PROFILE = 'http://qiao.health/fhir/StructureDefinition/cn-patient';
const SOURCE = 'http://his.renji.example/fhir';
const SUBSETTED = 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue';

type Json = Record<string, unknown>;
const div = (text: string) => `<div xmlns="http://www.w3.org/1999/xhtml">${text}</div>`;
const loinc = (code: string, display: string, text?: string) => ({ coding: [{ system: LOINC, code, display }], ...(text ? { text } : {}) });
const category = (code: string) => [{ coding: [{ system: OBS_CATEGORY, code }] }];
const ucum = (value: number, code: string) => ({ value, unit: code, system: UCUM, code });

const DATA: Json[] = [
  { resourceType: 'Organization', id: 'org-renji', name: '上海仁济医院' },
  { resourceType: 'Organization', id: 'org-xiehe', name: '北京协和医院' },
  // Search separators inside values, which a search must escape with a backslash.
  { resourceType: 'Organization', id: 'org-escape', name: '东院,急诊部|夜间$门诊', identifier: [{ system: 'urn:qiao:dept', value: 'A|B,C' }] },
  { resourceType: 'Practitioner', id: 'prac-li', name: [{ text: '李明', family: '李', given: ['明'] }] },
  {
    resourceType: 'Patient',
    id: 'pat-zhang',
    meta: { tag: [{ system: TAG, code: 'vip' }], profile: [PROFILE], source: SOURCE },
    text: { status: 'generated', div: div('张伟，男，高血压患者') },
    identifier: [
      { system: NATIONAL_ID, value: '110105198006150015', type: { coding: [{ system: V2_0203, code: 'NI' }], text: '居民身份证' } },
      { system: MRN, value: 'MRN-1001', type: { coding: [{ system: V2_0203, code: 'MR' }] } },
    ],
    name: [
      { use: 'official', text: '张伟', family: '张', given: ['伟'] },
      { use: 'usual', family: 'Zhāng', given: ['Wěi'] },
    ],
    telecom: [{ system: 'phone', value: '13800138000' }],
    active: true,
    gender: 'male',
    birthDate: '1980-06-15',
    address: [{ city: '上海市', district: '黄浦区', line: ['山东中路145号'] }],
    managingOrganization: { reference: 'Organization/org-renji' },
    generalPractitioner: [{ reference: 'Practitioner/prac-li' }],
  },
  {
    resourceType: 'Patient',
    id: 'pat-wang',
    meta: { security: [{ system: CONFIDENTIALITY, code: 'R' }] },
    text: { status: 'generated', div: div('王芳，女，糖尿病随访') },
    identifier: [{ system: NATIONAL_ID, value: '110105199203080026' }],
    // The second name is written in full-width Latin letters, as some registration desks type it.
    name: [
      { text: '王芳', family: '王', given: ['芳'] },
      { family: 'ＷＡＮＧ', given: ['Ｆａｎｇ'] },
    ],
    gender: 'female',
    birthDate: '1992-03-08',
    address: [{ city: '北京市', district: '东城区' }],
    managingOrganization: { reference: 'Organization/org-xiehe' },
  },
  {
    resourceType: 'Patient',
    id: 'pat-zhangsan',
    identifier: [{ value: 'TEMP-003' }],
    name: [{ text: '张三丰', family: '张', given: ['三丰'] }],
    birthDate: '1975',
    address: [{ city: '武汉市' }],
  },
  {
    resourceType: 'Encounter',
    id: 'enc-amb',
    status: 'finished',
    class: { system: ACT_CODE, code: 'AMB' },
    subject: { reference: 'Patient/pat-zhang' },
    period: { start: '2024-03-10T09:00:00+08:00', end: '2024-03-10T10:00:00+08:00' },
  },
  {
    resourceType: 'Encounter',
    id: 'enc-acute',
    status: 'finished',
    class: { system: ACT_CODE, code: 'ACUTE' },
    subject: { reference: 'Patient/pat-zhang' },
    period: { start: '2024-02-01', end: '2024-02-05' },
  },
  {
    resourceType: 'Encounter',
    id: 'enc-imp',
    status: 'finished',
    class: { system: ACT_CODE, code: 'IMP' },
    subject: { reference: 'Patient/pat-wang' },
    period: { start: '2023-11-19', end: '2023-11-22' },
  },
  { resourceType: 'Encounter', id: 'enc-emer', status: 'finished', class: { system: ACT_CODE, code: 'EMER' }, subject: { reference: 'Patient/pat-wang' } },
  {
    resourceType: 'Observation',
    id: 'obs-bp',
    status: 'final',
    category: category('vital-signs'),
    code: loinc('85354-6', 'Blood pressure panel with all children optional', '血压'),
    subject: { reference: 'Patient/pat-zhang' },
    performer: [{ reference: 'Practitioner/prac-li' }],
    effectiveDateTime: '2024-03-10T09:30:00+08:00',
    component: [
      { code: loinc('8480-6', 'Systolic blood pressure', '收缩压'), valueQuantity: ucum(120, 'mm[Hg]') },
      { code: loinc('8462-4', 'Diastolic blood pressure', '舒张压'), valueQuantity: ucum(80, 'mm[Hg]') },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'obs-glucose',
    status: 'final',
    category: category('laboratory'),
    code: loinc('14749-6', 'Glucose [Moles/volume] in Serum or Plasma', '空腹血糖'),
    subject: { reference: 'Patient/pat-zhang' },
    effectivePeriod: { start: '2024-03-01T08:00:00+08:00', end: '2024-03-03T08:00:00+08:00' },
    valueQuantity: ucum(6.1, 'mmol/L'),
  },
  {
    resourceType: 'Observation',
    id: 'obs-open',
    status: 'preliminary',
    category: category('vital-signs'),
    code: loinc('8867-4', 'Heart rate', '心率监测'),
    subject: { reference: 'Patient/pat-zhang' },
    effectivePeriod: { start: '2024-05-01' },
  },
  {
    resourceType: 'Observation',
    id: 'obs-night',
    status: 'final',
    category: category('activity'),
    code: loinc('93832-4', 'Sleep duration', '睡眠时长'),
    subject: { reference: 'Patient/pat-wang' },
    effectivePeriod: { start: '2024-03-01T22:00:00+08:00', end: '2024-03-02T06:00:00+08:00' },
    valueQuantity: ucum(8, 'h'),
  },
  {
    resourceType: 'Observation',
    id: 'obs-weight',
    status: 'final',
    category: category('vital-signs'),
    code: loinc('29463-7', 'Body weight', '体重'),
    subject: { reference: 'Patient/pat-wang' },
    effectiveDateTime: '2023-11-20',
    valueQuantity: ucum(58.5, 'kg'),
  },
  {
    resourceType: 'Observation',
    id: 'obs-glu-mass',
    status: 'final',
    category: category('laboratory'),
    code: loinc('2345-7', 'Glucose [Mass/volume] in Serum or Plasma', '血糖'),
    subject: { reference: 'Patient/pat-wang' },
    effectiveDateTime: '2023-11-20T08:15:00+08:00',
    valueQuantity: ucum(108, 'mg/dL'),
  },
  {
    // A logical reference only: the patient is known by national ID, not by a resource on this server.
    resourceType: 'Observation',
    id: 'obs-logical',
    status: 'final',
    code: loinc('8867-4', 'Heart rate'),
    subject: { identifier: { system: NATIONAL_ID, value: '110105199203080026' }, display: '王芳' },
    effectiveDateTime: '2022-01-01',
    valueQuantity: ucum(72, '/min'),
  },
  {
    resourceType: 'Observation',
    id: 'obs-external',
    status: 'final',
    code: loinc('8867-4', 'Heart rate'),
    subject: { reference: 'http://other.example.org/fhir/Patient/123' },
    effectiveDateTime: '2022-01-02',
  },
  {
    resourceType: 'Condition',
    id: 'cond-htn',
    subject: { reference: 'Patient/pat-zhang' },
    code: { coding: [{ system: ICD10_CN, code: 'I10.x00', display: '高血压' }] },
  },
  {
    resourceType: 'Condition',
    id: 'cond-dm',
    subject: { reference: 'Patient/pat-wang' },
    code: { coding: [{ system: ICD10_CN, code: 'E11.900', display: '2型糖尿病' }] },
  },
  {
    resourceType: 'DiagnosticReport',
    id: 'dr-cmp',
    status: 'final',
    code: loinc('24323-8', 'Comprehensive metabolic 2000 panel - Serum or Plasma'),
    subject: { reference: 'Patient/pat-zhang' },
    performer: [{ reference: 'Organization/org-renji' }],
    result: [{ reference: 'Observation/obs-glucose' }],
  },
  {
    resourceType: 'DiagnosticReport',
    id: 'dr-lipid',
    status: 'final',
    code: loinc('24331-1', 'Lipid 1996 panel - Serum or Plasma'),
    subject: { reference: 'Patient/pat-wang' },
    result: [{ reference: 'Observation/obs-glu-mass' }],
  },
  {
    resourceType: 'Medication',
    id: 'med-metformin',
    code: { coding: [{ system: 'http://www.whocc.no/atc', code: 'A10BA02', display: 'metformin' }], text: '二甲双胍片' },
  },
  {
    resourceType: 'MedicationRequest',
    id: 'mr-metformin',
    status: 'active',
    intent: 'order',
    medicationReference: { reference: 'Medication/med-metformin' },
    subject: { reference: 'Patient/pat-wang' },
    requester: { reference: 'Practitioner/prac-li' },
  },
  { resourceType: 'RiskAssessment', id: 'ra-low', status: 'final', subject: { reference: 'Patient/pat-zhang' }, prediction: [{ outcome: { text: '卒中' }, probabilityDecimal: 0.25 }] },
  { resourceType: 'RiskAssessment', id: 'ra-high', status: 'final', subject: { reference: 'Patient/pat-wang' }, prediction: [{ outcome: { text: '卒中' }, probabilityDecimal: 0.8 }] },
  { resourceType: 'MolecularSequence', id: 'ms-100', coordinateSystem: 0, variant: [{ start: 100, end: 101, observedAllele: 'T', referenceAllele: 'C' }] },
  { resourceType: 'MolecularSequence', id: 'ms-2500', coordinateSystem: 0, variant: [{ start: 2500, end: 2501, observedAllele: 'A', referenceAllele: 'G' }] },
  { resourceType: 'ValueSet', id: 'vs-diag', status: 'active', url: 'http://qiao.health/fhir/ValueSet/diagnosis' },
  { resourceType: 'ValueSet', id: 'vs-diag-icd', status: 'active', url: 'http://qiao.health/fhir/ValueSet/diagnosis/icd10' },
  { resourceType: 'ValueSet', id: 'vs-other', status: 'active', url: 'http://example.org/fhir/ValueSet/other' },
  {
    resourceType: 'List',
    id: 'list-followup',
    status: 'current',
    mode: 'working',
    title: '随访清单',
    entry: [{ item: { reference: 'Observation/obs-bp' } }, { item: { reference: 'Observation/obs-weight' } }, { item: { reference: 'Patient/pat-wang' } }],
  },
];

/** A reference written as an absolute URL on this server's own base, as some HIS interfaces send them. */
const absoluteCondition = (base: string): Json => ({
  resourceType: 'Condition',
  id: 'cond-absolute',
  subject: { reference: `${base}/Patient/pat-zhangsan` },
  code: { coding: [{ system: ICD10_CN, code: 'J06.900', display: '急性上呼吸道感染' }] },
});
/** Everything the server holds: DATA, the Condition above and the Provenance that signs each final report (SM2, docs/signatures.md). */
const TOTAL = DATA.length + 1 + DATA.filter((r) => r.resourceType === 'DiagnosticReport' && SIGNED_STATES.has(String(r.status))).length;

const PATIENTS = ['pat-zhang', 'pat-wang', 'pat-zhangsan'];
const OBSERVATIONS = ['obs-bp', 'obs-glucose', 'obs-open', 'obs-night', 'obs-weight', 'obs-glu-mass', 'obs-logical', 'obs-external'];
const ZHANG_OBS = ['obs-bp', 'obs-glucose', 'obs-open'];
const WANG_OBS = ['obs-night', 'obs-weight', 'obs-glu-mass'];

interface Entry {
  fullUrl?: string;
  resource: Json & { resourceType: string; id: string; meta?: { tag?: { system?: string; code?: string }[] } };
  search?: { mode: string };
}

const entriesOf = (r: Reply): Entry[] => (r.body?.entry ?? []) as Entry[];
const idsOf = (r: Reply, mode: string): string[] =>
  entriesOf(r)
    .filter((e) => e.search?.mode === mode)
    .map((e) => e.resource.id)
    .sort();
const keysOf = (r: Reply, mode: string): string[] =>
  entriesOf(r)
    .filter((e) => e.search?.mode === mode)
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`)
    .sort();
const sorted = (ids: readonly string[]) => [...ids].sort();
const linkOf = (r: Reply, relation: string): string | undefined => (r.body?.link as { relation: string; url: string }[] | undefined)?.find((l) => l.relation === relation)?.url;

type Case = [query: string, expected: string[]];

const STRING_CASES: Case[] = [
  ['Patient?name=张', ['pat-zhang', 'pat-zhangsan']],
  ['Patient?name=张三', ['pat-zhangsan']],
  ['Patient?name=三丰', ['pat-zhangsan']],
  ['Patient?name=伟', ['pat-zhang']],
  ['Patient?name=丰', []],
  ['Patient?name=王,张', PATIENTS],
  ['Patient?name=张&gender=male', ['pat-zhang']],
  ['Patient?name=张&name=伟', ['pat-zhang']],
  // Folding: case, accents (Zhāng, Wěi) and full width (ＷＡＮＧ, Ｆａｎｇ).
  ['Patient?name=ZHANG', ['pat-zhang']],
  ['Patient?name=zhang', ['pat-zhang']],
  ['Patient?name=zhāng', ['pat-zhang']],
  ['Patient?name=wei', ['pat-zhang']],
  ['Patient?name=wang', ['pat-wang']],
  ['Patient?name=Fang', ['pat-wang']],
  ['Patient?name=ｗａｎｇ', ['pat-wang']],
  ['Patient?family=WA', ['pat-wang']],
  ['Patient?given=三', ['pat-zhangsan']],
  ['Patient?family=张', ['pat-zhang', 'pat-zhangsan']],
  // :exact compares unfolded.
  ['Patient?name:exact=Zhāng', ['pat-zhang']],
  ['Patient?name:exact=zhang', []],
  ['Patient?name:exact=Zhang', []],
  ['Patient?name:exact=张', ['pat-zhang', 'pat-zhangsan']],
  ['Patient?name:exact=张伟', ['pat-zhang']],
  ['Patient?name:exact=张三', []],
  ['Patient?name:exact=ＷＡＮＧ', ['pat-wang']],
  ['Patient?name:exact=WANG', []],
  // :contains is a folded substring.
  ['Patient?name:contains=三', ['pat-zhangsan']],
  ['Patient?name:contains=丰', ['pat-zhangsan']],
  ['Patient?name:contains=HĀN', ['pat-zhang']],
  ['Patient?name:contains=an', ['pat-zhang', 'pat-wang']],
  ['Patient?name:contains=ａｎ', ['pat-zhang', 'pat-wang']],
  ['Patient?address-city=上海', ['pat-zhang']],
  ['Patient?address=黄浦', ['pat-zhang']],
  ['Patient?address:contains=浦区', ['pat-zhang']],
  ['Patient?address=市', []],
  ['Organization?name=上海', ['org-renji']],
  ['Organization?name:contains=协和', ['org-xiehe']],
  ['Organization?name=东院', ['org-escape']],
  ['Organization?name=东院\\,急诊', ['org-escape']],
  ['Organization?name=东院,急诊', ['org-escape']],
  ['Organization?name=急诊', []],
  ['Organization?name:exact=东院\\,急诊部\\|夜间\\$门诊', ['org-escape']],
  ['Organization?name:contains=夜间$', ['org-escape']],
  ['Practitioner?name=李', ['prac-li']],
];

const TOKEN_CASES: Case[] = [
  ['Patient?gender=male', ['pat-zhang']],
  ['Patient?gender=female', ['pat-wang']],
  ['Patient?gender=male,female', ['pat-zhang', 'pat-wang']],
  ['Patient?gender=Male', []],
  ['Patient?gender:not=male', ['pat-wang', 'pat-zhangsan']],
  ['Patient?gender:missing=true', ['pat-zhangsan']],
  ['Patient?gender:missing=false', ['pat-zhang', 'pat-wang']],
  [`Patient?identifier=${NATIONAL_ID}|110105198006150015`, ['pat-zhang']],
  ['Patient?identifier=110105198006150015', ['pat-zhang']],
  [`Patient?identifier=${NATIONAL_ID}|`, ['pat-zhang', 'pat-wang']],
  ['Patient?identifier=|TEMP-003', ['pat-zhangsan']],
  ['Patient?identifier=|110105198006150015', []],
  [`Patient?identifier=${MRN}|110105198006150015`, []],
  [`Patient?identifier:of-type=${V2_0203}|NI|110105198006150015`, ['pat-zhang']],
  [`Patient?identifier:of-type=${V2_0203}|MR|MRN-1001`, ['pat-zhang']],
  [`Patient?identifier:of-type=${V2_0203}|MR|110105198006150015`, []],
  ['Patient?identifier:text=居民', ['pat-zhang']],
  ['Patient?identifier:missing=true', []],
  ['Patient?telecom=13800138000', ['pat-zhang']],
  ['Patient?phone=13800138000', ['pat-zhang']],
  ['Patient?_id=pat-zhang,pat-wang', ['pat-zhang', 'pat-wang']],
  ['Patient?active=true', ['pat-zhang']],
  ['Patient?active=false', []],
  ['Patient?active:missing=true', ['pat-wang', 'pat-zhangsan']],
  ['Organization?identifier=urn:qiao:dept|A\\|B\\,C', ['org-escape']],
  ['Organization?identifier=A\\|B\\,C', ['org-escape']],
  [`Observation?code=${LOINC}|85354-6`, ['obs-bp']],
  ['Observation?code=85354-6', ['obs-bp']],
  ['Observation?code=http://snomed.info/sct|85354-6', []],
  [`Observation?code=${LOINC}|`, OBSERVATIONS],
  [`Observation?code=${LOINC}|8867-4`, ['obs-open', 'obs-logical', 'obs-external']],
  ['Observation?combo-code=8480-6', ['obs-bp']],
  ['Observation?component-code=8462-4', ['obs-bp']],
  ['Observation?code:text=空腹', ['obs-glucose']],
  ['Observation?code:text=血', ['obs-bp', 'obs-glu-mass']],
  ['Observation?code:text=GLUCOSE', ['obs-glucose', 'obs-glu-mass']],
  [`Observation?code:not=${LOINC}|8867-4`, ['obs-bp', 'obs-glucose', 'obs-night', 'obs-weight', 'obs-glu-mass']],
  [`Observation?category=${OBS_CATEGORY}|vital-signs`, ['obs-bp', 'obs-open', 'obs-weight']],
  ['Observation?category:missing=true', ['obs-logical', 'obs-external']],
  ['Observation?category:in=http://hl7.org/fhir/ValueSet/observation-category', ['obs-bp', 'obs-glucose', 'obs-open', 'obs-night', 'obs-weight', 'obs-glu-mass']],
  ['Condition?code:text=高血', ['cond-htn']],
  ['Condition?code:text=2型', ['cond-dm']],
  [`Condition?code=${ICD10_CN}|I10.x00`, ['cond-htn']],
  ['Condition?code=i10.x00', []],
  [`Encounter?class=${ACT_CODE}|IMP`, ['enc-imp']],
  [`Encounter?class:below=${ACT_CODE}|IMP`, ['enc-acute', 'enc-imp']],
  [`Encounter?class:below=${ACT_CODE}|AMB`, ['enc-amb']],
  [`Encounter?class:below=${ACT_CODE}|_ActEncounterCode`, ['enc-amb', 'enc-acute', 'enc-imp', 'enc-emer']],
  [`Encounter?class:above=${ACT_CODE}|ACUTE`, ['enc-acute', 'enc-imp']],
  [`Encounter?class:above=${ACT_CODE}|NONAC`, ['enc-imp']],
  ['Medication?code:text=二甲双胍', ['med-metformin']],
];

/*
 * Stored ranges of the Observations' `date` (effective[x]), all at +08:00:
 *   obs-bp       [2024-03-10T09:30:00, +1 s)           obs-glucose [2024-03-01T08:00, 2024-03-03T08:00:01)
 *   obs-night    [2024-03-01T22:00, 2024-03-02T06:00:01) obs-open    [2024-05-01, ∞)
 *   obs-weight   [2023-11-20, 2023-11-21)               obs-glu-mass [2023-11-20T08:15:00, +1 s)
 *   obs-logical  [2022-01-01, 2022-01-02)               obs-external [2022-01-02, 2022-01-03)
 */
const DATE_CASES: Case[] = [
  ['Patient?birthdate=1980-06-15', ['pat-zhang']],
  ['Patient?birthdate=1980', ['pat-zhang']],
  ['Patient?birthdate=1980-06', ['pat-zhang']],
  ['Patient?birthdate=1975', ['pat-zhangsan']],
  // 1975 (a year) is not contained in one day of it.
  ['Patient?birthdate=1975-05-01', []],
  ['Patient?birthdate=eq1992-03-08', ['pat-wang']],
  ['Patient?birthdate=ne1980-06-15', ['pat-wang', 'pat-zhangsan']],
  ['Patient?birthdate=gt1990', ['pat-wang']],
  ['Patient?birthdate=gt1980-06-15', ['pat-wang']],
  ['Patient?birthdate=lt1980-06-15', ['pat-zhangsan']],
  ['Patient?birthdate=ge1980-06-15', ['pat-zhang', 'pat-wang']],
  ['Patient?birthdate=le1980-06-15', ['pat-zhang', 'pat-zhangsan']],
  ['Patient?birthdate=sa1980', ['pat-wang']],
  ['Patient?birthdate=eb1980', ['pat-zhangsan']],
  ['Patient?birthdate=ge1975-05', ['pat-zhang', 'pat-wang', 'pat-zhangsan']],
  ['Patient?birthdate=ge1980&birthdate=lt1990', ['pat-zhang']],
  ['Patient?birthdate=1975,1992', ['pat-wang', 'pat-zhangsan']],
  ['Patient?birthdate:missing=true', []],
  ['Observation?date=2024-03', ['obs-bp', 'obs-glucose', 'obs-night']],
  ['Observation?date=2024-03-02', []],
  ['Observation?date=2024-03-10', ['obs-bp']],
  ['Observation?date=2024-03-10T09:30', ['obs-bp']],
  ['Observation?date=2024-03-10T09:30:00%2B08:00', ['obs-bp']],
  ['Observation?date=2024-03-10T01:30:00Z', ['obs-bp']],
  ['Observation?date=2024-03-10T09:31', []],
  ['Observation?date=2024-03-10T09:30:00', ['obs-bp']],
  ['Observation?date=2024-03-10T09:30:01', []],
  ['Observation?date=2023-11-20', ['obs-weight', 'obs-glu-mass']],
  ['Observation?date=gt2024-03-05', ['obs-bp', 'obs-open']],
  ['Observation?date=gt2025', ['obs-open']],
  ['Observation?date=lt2023-11-20', ['obs-logical', 'obs-external']],
  ['Observation?date=sa2024-03-05', ['obs-bp', 'obs-open']],
  ['Observation?date=eb2023-01-01', ['obs-logical', 'obs-external']],
  ['Observation?date=ne2024-03', ['obs-open', 'obs-weight', 'obs-glu-mass', 'obs-logical', 'obs-external']],
  ['Observation?date=2024-05', []],
  ['Observation?date=lt2024-03-01T12:00', ['obs-glucose', 'obs-weight', 'obs-glu-mass', 'obs-logical', 'obs-external']],
  ['Encounter?date=2024-02', ['enc-acute']],
  ['Encounter?date=ge2024-03-10T09:30', ['enc-amb']],
];

/*
 * docs/search.md (R4): `ge` is gt or eq — the value reaches beyond the searched day (high > e) or
 * lies within it — and `le` is lt or eq. obs-night ([03-01T22:00, 03-02T06:00:01)) straddles
 * midnight, so it is neither within 2024-03-01 nor beyond it; obs-glucose
 * ([03-01T08:00, 03-03T08:00:01)) reaches beyond 2024-03-02 but not beyond 2024-03-03.
 */
const DATE_OVERLAP_CASES: Case[] = [
  ['Observation?date=ge2024-03-02', ['obs-bp', 'obs-glucose', 'obs-open']],
  ['Observation?date=le2024-03-01', ['obs-weight', 'obs-glu-mass', 'obs-logical', 'obs-external']],
  ['Observation?date=ge2024-03-03', ['obs-bp', 'obs-open']],
  ['Observation?date=le2024-03-03', ['obs-glucose', 'obs-night', 'obs-weight', 'obs-glu-mass', 'obs-logical', 'obs-external']],
];

const NUMBER_CASES: Case[] = [
  ['RiskAssessment?probability=0.25', ['ra-low']],
  ['RiskAssessment?probability=0.250', ['ra-low']],
  ['RiskAssessment?probability=0.4', []],
  // 0.3 is [0.25, 0.35): it includes 0.25.
  ['RiskAssessment?probability=0.3', ['ra-low']],
  ['RiskAssessment?probability=0.8', ['ra-high']],
  ['RiskAssessment?probability=gt0.5', ['ra-high']],
  ['RiskAssessment?probability=lt0.5', ['ra-low']],
  ['RiskAssessment?probability=ge0.8', ['ra-high']],
  ['RiskAssessment?probability=le0.25', ['ra-low']],
  ['RiskAssessment?probability=ne0.25', ['ra-high']],
  ['RiskAssessment?probability=ap0.26', ['ra-low']],
  ['RiskAssessment?probability=0.25,0.8', ['ra-low', 'ra-high']],
  ['MolecularSequence?variant-start=100', ['ms-100']],
  ['MolecularSequence?variant-start=99', []],
  // 1e2 has one significant digit: [50, 150).
  ['MolecularSequence?variant-start=1e2', ['ms-100']],
  ['MolecularSequence?variant-start=1e3', []],
  ['MolecularSequence?variant-start=2.5e3', ['ms-2500']],
  ['MolecularSequence?variant-start=gt1000', ['ms-2500']],
  ['MolecularSequence?variant-start=le100', ['ms-100']],
  ['MolecularSequence?variant-start=lt100', []],
];

const QUANTITY_CASES: Case[] = [
  [`Observation?value-quantity=6.1|${UCUM}|mmol/L`, ['obs-glucose']],
  [`Observation?value-quantity=6100|${UCUM}|umol/L`, ['obs-glucose']],
  [`Observation?value-quantity=gt6|${UCUM}|mmol/L`, ['obs-glucose']],
  [`Observation?value-quantity=lt6|${UCUM}|mmol/L`, []],
  [`Observation?value-quantity=58.5|${UCUM}|kg`, ['obs-weight']],
  [`Observation?value-quantity=58500|${UCUM}|g`, ['obs-weight']],
  [`Observation?value-quantity=58500000|${UCUM}|mg`, ['obs-weight']],
  [`Observation?value-quantity=58.5|${UCUM}|g`, []],
  [`Observation?value-quantity=gt50000|${UCUM}|g`, ['obs-weight']],
  [`Observation?value-quantity=lt50000000|${UCUM}|mg`, []],
  // 108 mg/dL is 1.08 g/L.
  [`Observation?value-quantity=1.08|${UCUM}|g/L`, ['obs-glu-mass']],
  [`Observation?value-quantity=1080|${UCUM}|mg/L`, ['obs-glu-mass']],
  ['Observation?value-quantity=108||mg/dL', ['obs-glu-mass']],
  ['Observation?value-quantity=108', ['obs-glu-mass']],
  ['Observation?value-quantity=1.08', []],
  [`Observation?value-quantity=480|${UCUM}|min`, ['obs-night']],
  [`Observation?value-quantity=8|${UCUM}|h`, ['obs-night']],
  [`Observation?value-quantity=72|${UCUM}|/min`, ['obs-logical']],
  [`Observation?value-quantity=1.2|${UCUM}|/s`, ['obs-logical']],
  ['Observation?value-quantity:missing=true', ['obs-bp', 'obs-open', 'obs-external']],
];

const REFERENCE_CASES = (base: string): Case[] => [
  ['Observation?subject=Patient/pat-zhang', ZHANG_OBS],
  ['Observation?subject=pat-zhang', ZHANG_OBS],
  [`Observation?subject=${base}/Patient/pat-zhang`, ZHANG_OBS],
  ['Observation?subject:Patient=pat-zhang', ZHANG_OBS],
  ['Observation?subject=Patient/pat-zhang/_history/1', ZHANG_OBS],
  ['Observation?subject:Group=pat-zhang', []],
  ['Observation?subject=Patient/pat-zhang,Patient/pat-wang', [...ZHANG_OBS, ...WANG_OBS]],
  ['Observation?patient=pat-wang', WANG_OBS],
  ['Observation?subject=Patient/123', []],
  ['Observation?subject=http://other.example.org/fhir/Patient/123', ['obs-external']],
  [`Observation?subject:identifier=${NATIONAL_ID}|110105199203080026`, ['obs-logical']],
  [`Observation?subject:identifier=${NATIONAL_ID}|110105198006150015`, []],
  ['Observation?performer=Practitioner/prac-li', ['obs-bp']],
  // A subject given by identifier only has a value (the one :identifier finds): it is not missing.
  ['Observation?subject:missing=true', []],
  ['Observation?subject:missing=false', OBSERVATIONS],
  ['Patient?organization=Organization/org-renji', ['pat-zhang']],
  ['Patient?general-practitioner=prac-li', ['pat-zhang']],
  ['MedicationRequest?medication=Medication/med-metformin', ['mr-metformin']],
  ['DiagnosticReport?result=Observation/obs-glucose', ['dr-cmp']],
];

const URI_CASES: Case[] = [
  ['ValueSet?url=http://qiao.health/fhir/ValueSet/diagnosis', ['vs-diag']],
  ['ValueSet?url=http://qiao.health/fhir/ValueSet', []],
  ['ValueSet?url:below=http://qiao.health/fhir/ValueSet', ['vs-diag', 'vs-diag-icd']],
  ['ValueSet?url:below=http://qiao.health/fhir/ValueSet/diagnosis/', ['vs-diag-icd']],
  ['ValueSet?url:above=http://qiao.health/fhir/ValueSet/diagnosis/icd10/2019', ['vs-diag', 'vs-diag-icd']],
  ['ValueSet?url:above=http://qiao.health/fhir/ValueSet/diagnosis', ['vs-diag']],
  ['ValueSet?url:above=http://qiao.health/fhir', []],
];

const COMPOSITE_CASES: Case[] = [
  [`Observation?code-value-quantity=${LOINC}|14749-6$6.1|${UCUM}|mmol/L`, ['obs-glucose']],
  ['Observation?code-value-quantity=14749-6$gt6', ['obs-glucose']],
  ['Observation?code-value-quantity=14749-6$lt6', []],
  // The pair must come from one Observation: glucose 14749-6 is 6.1, weight 29463-7 is 58.5.
  ['Observation?code-value-quantity=29463-7$6.1', []],
  [`Observation?code-value-quantity=29463-7$58500|${UCUM}|g`, ['obs-weight']],
  // The blood pressure's values are in its components, not the Observation's own value.
  ['Observation?code-value-quantity=85354-6$120', []],
  [`Observation?component-code-value-quantity=${LOINC}|8480-6$gt100`, ['obs-bp']],
  [`Observation?component-code-value-quantity=${LOINC}|8480-6$lt100`, []],
  [`Observation?component-code-value-quantity=${LOINC}|8462-4$lt100`, ['obs-bp']],
  // Systolic 120 and diastolic 80: each value pairs only with its own component's code.
  ['Observation?component-code-value-quantity=8480-6$80', []],
  ['Observation?component-code-value-quantity=8462-4$120', []],
  [`Observation?component-code-value-quantity=8480-6$120|${UCUM}|mm[Hg]`, ['obs-bp']],
  ['Observation?component-code-value-quantity=8480-6$lt100,8462-4$lt100', ['obs-bp']],
  ['Observation?component-code-value-quantity=8480-6$lt100&component-code-value-quantity=8462-4$lt100', []],
  ['Observation?component-code-value-quantity=8480-6$gt100&component-code-value-quantity=8462-4$lt100', ['obs-bp']],
];

const CHAIN_CASES: Case[] = [
  [`Observation?subject:Patient.identifier=${NATIONAL_ID}|110105198006150015`, ZHANG_OBS],
  ['Observation?subject:Patient.identifier=110105199203080026', WANG_OBS],
  ['Observation?subject.name=王', WANG_OBS],
  ['Observation?subject.name=ZHANG', ZHANG_OBS],
  ['Observation?subject:Patient.name=张', ZHANG_OBS],
  ['Observation?subject:Patient.gender=female', WANG_OBS],
  ['Observation?subject:Patient._id=pat-wang', WANG_OBS],
  ['Observation?subject:Patient.organization.name=北京', WANG_OBS],
  ['Observation?subject:Patient.organization.name=上海', ZHANG_OBS],
  ['Observation?subject.organization.name=上海', ZHANG_OBS],
  ['Observation?subject:Patient.general-practitioner.name=李', ZHANG_OBS],
  ['Observation?subject:Patient.organization.name=广州', []],
  ['DiagnosticReport?result.code=14749-6', ['dr-cmp']],
  ['DiagnosticReport?result:Observation.subject:Patient.name=王', ['dr-lipid']],
  ['MedicationRequest?medication.code:text=二甲双胍', ['mr-metformin']],
  [`Patient?_has:Observation:subject:code=${LOINC}|85354-6`, ['pat-zhang']],
  [`Patient?_has:Observation:subject:code=${LOINC}|29463-7`, ['pat-wang']],
  [`Patient?_has:Observation:subject:code=${LOINC}|85354-6,${LOINC}|29463-7`, ['pat-zhang', 'pat-wang']],
  [`Patient?_has:Observation:subject:code=${LOINC}|8867-4`, ['pat-zhang']],
  ['Patient?_has:Condition:subject:code:text=糖尿病', []],
  ['Patient?_has:Condition:subject:code:text=2型糖尿病', ['pat-wang']],
  [`Patient?_has:Observation:subject:_has:DiagnosticReport:result:code=${LOINC}|24323-8`, ['pat-zhang']],
  [`Patient?_has:Observation:subject:_has:DiagnosticReport:result:code=${LOINC}|24331-1`, ['pat-wang']],
  ['Patient?_has:MedicationRequest:subject:medication.code:text=二甲双胍', ['pat-wang']],
  ['Practitioner?_has:Patient:general-practitioner:gender=male', ['prac-li']],
  ['Practitioner?_has:Patient:general-practitioner:gender=female', []],
  ['Organization?_has:Patient:organization:_has:Observation:subject:code=93832-4', ['org-xiehe']],
];

const TEXT_CASES: Case[] = [
  ['Patient?_text=高血压', ['pat-zhang']],
  ['Patient?_text=糖尿病', ['pat-wang']],
  ['Patient?_text=高血压%20患者', ['pat-zhang']],
  ['Patient?_text=高血压%20糖尿病', []],
  ['Patient?_text=高血压%20OR%20糖尿病', ['pat-zhang', 'pat-wang']],
  ['Patient?_text=三丰', []],
  ['Patient?_content=三丰', ['pat-zhangsan']],
  ['Patient?_content=黄浦区', ['pat-zhang']],
  ['Patient?_content=ｗａｎｇ', ['pat-wang']],
  ['Patient?_content=武汉%20三丰', ['pat-zhangsan']],
  ['Patient?_content=武汉%20OR%20北京', ['pat-wang', 'pat-zhangsan']],
  ['Patient?_content=高血压', ['pat-zhang']],
  ['Observation?_content=收缩压', ['obs-bp']],
];

const META_CASES: Case[] = [
  [`Patient?_tag=${TAG}|vip`, ['pat-zhang']],
  ['Patient?_tag=vip', ['pat-zhang']],
  [`Patient?_tag:not=${TAG}|vip`, ['pat-wang', 'pat-zhangsan']],
  [`Patient?_security=${CONFIDENTIALITY}|R`, ['pat-wang']],
  [`Patient?_security=${CONFIDENTIALITY}|N`, []],
  [`Patient?_profile=${PROFILE}`, ['pat-zhang']],
  ['Patient?_profile:below=http://qiao.health/fhir/StructureDefinition', ['pat-zhang']],
  [`Patient?_source=${SOURCE}`, ['pat-zhang']],
  ['Patient?_source=http://his.renji.example', []],
  ['Patient?_source:below=http://his.renji.example', ['pat-zhang']],
  ['Patient?_lastUpdated=gt2000-01-01', PATIENTS],
  ['Patient?_lastUpdated=lt2000-01-01', []],
  ['Observation?_list=list-followup', ['obs-bp', 'obs-weight']],
  ['Patient?_list=list-followup', ['pat-wang']],
  ['Encounter?_list=list-followup', []],
  ['Observation?_list=no-such-list', []],
];

/** Values that look like SQL or LIKE patterns; none may fail the server nor widen a search. */
const HOSTILE = [`' OR 1=1 --`, `'; DROP TABLE resource; --`, `" OR ""="`, '%', '_', '\\', `') OR ('1'='1`, '1) OR 1=1 --', '*'];
const HOSTILE_PARAMS = [
  'name',
  'name:exact',
  'name:contains',
  'family',
  'identifier',
  'identifier:text',
  'gender',
  'telecom',
  '_id',
  '_text',
  '_content',
  '_tag',
  '_source',
  'address-city',
  'organization',
  'birthdate',
  'general-practitioner:identifier',
  'organization.name',
  '_has:Observation:subject:code',
];

describe.each(BACKENDS)('REST search on %s', (backend) => {
  const server = useTestServer(backend);
  const get = (path: string, headers: Record<string, string> = {}) => call(server.base, 'GET', path, undefined, headers);

  beforeAll(async () => {
    for (const resource of [...DATA, absoluteCondition(server.base)]) {
      const r = await call(server.base, 'PUT', `${String(resource.resourceType)}/${String(resource.id)}`, resource);
      if (r.status !== 201) throw new Error(`PUT ${String(resource.resourceType)}/${String(resource.id)}: ${r.status} ${r.text}`);
    }
  });

  /** The request succeeds and its matches are exactly `expected`; failures show the query. */
  async function expectMatches(query: string, expected: readonly string[]): Promise<void> {
    const r = await get(query);
    expect({ query, status: r.status, matches: r.status === 200 ? idsOf(r, 'match') : r.text }).toEqual({ query, status: 200, matches: sorted(expected) });
    expect(r.body.total).toBe(expected.length);
  }

  describe('string', () => {
    it.each(STRING_CASES)('%s', (query, expected) => expectMatches(query, expected));
  });

  describe('token', () => {
    it.each(TOKEN_CASES)('%s', (query, expected) => expectMatches(query, expected));

    it('gender:in an R4 value set finds the codes of its expansion', async () => {
      await expectMatches('Patient?gender:in=http://hl7.org/fhir/ValueSet/administrative-gender', ['pat-zhang', 'pat-wang']);
    });

    it('gender:not-in that value set finds neither patient with a gender', async () => {
      const r = await get('Patient?gender:not-in=http://hl7.org/fhir/ValueSet/administrative-gender');
      expect(r.status).toBe(200);
      expect(idsOf(r, 'match')).not.toEqual(expect.arrayContaining(['pat-zhang']));
      expect(idsOf(r, 'match')).not.toEqual(expect.arrayContaining(['pat-wang']));
    });

    it('category:not-in excludes every categorised Observation', async () => {
      const r = await get('Observation?category:not-in=http://hl7.org/fhir/ValueSet/observation-category');
      expect(r.status).toBe(200);
      for (const id of idsOf(r, 'match')) expect(['obs-logical', 'obs-external']).toContain(id);
    });

    it.each([
      // LOINC is not held in full, so this value set cannot be expanded: an error, not an empty answer.
      ['Observation?code:in=http://hl7.org/fhir/ValueSet/observation-codes', 'not-supported'],
      ['Observation?code:in=http://example.org/no-such-value-set', 'not-supported'],
      [`Encounter?class:below=${ACT_CODE}|NO-SUCH-CODE`, 'not-supported'],
      ['Encounter?class:below=IMP', 'not-supported'],
      ['Encounter?class:below=http://example.org/flat|IMP', 'not-supported'],
      ['Patient?identifier:of-type=NI|110105198006150015', 'value'],
    ])('%s is refused with %s', async (query, code) => {
      const r = await get(query);
      expect(r.status).toBe(400);
      expect(firstIssue(r).code).toBe(code);
    });
  });

  describe('date', () => {
    it.each(DATE_CASES)('%s', (query, expected) => expectMatches(query, expected));
    it.each(DATE_OVERLAP_CASES)('%s (ranges that straddle the day, per docs/search.md)', (query, expected) => expectMatches(query, expected));
  });

  describe('number', () => {
    it.each(NUMBER_CASES)('%s', (query, expected) => expectMatches(query, expected));
  });

  describe('quantity', () => {
    it.each(QUANTITY_CASES)('%s', (query, expected) => expectMatches(query, expected));
  });

  describe('reference', () => {
    it('understands Type/id, id, this server’s absolute URL, :Type, :identifier and foreign URLs', async () => {
      for (const [query, expected] of REFERENCE_CASES(server.base)) await expectMatches(query, expected);
    });

    it('a stored absolute reference to this server is the same as Type/id', async () => {
      const base = server.base;
      const read = await get('Condition/cond-absolute');
      expect(read.body.subject.reference).toMatch(/Patient\/pat-zhangsan$/);
      const expected: Record<string, string[]> = {
        [`Condition?subject=${base}/Patient/pat-zhangsan`]: ['Condition/cond-absolute'],
        'Condition?subject=Patient/pat-zhangsan': ['Condition/cond-absolute'],
        'Condition?patient=pat-zhangsan': ['Condition/cond-absolute'],
        'Condition?subject:Patient.name=张三': ['Condition/cond-absolute'],
        'Patient/pat-zhangsan/Condition': ['Condition/cond-absolute'],
        'Patient?_has:Condition:subject:code=J06.900': ['Patient/pat-zhangsan'],
        'Condition?_id=cond-absolute&_include=Condition:subject': ['Condition/cond-absolute', 'Patient/pat-zhangsan'],
        'Patient?_id=pat-zhangsan&_revinclude=Condition:subject': ['Condition/cond-absolute', 'Patient/pat-zhangsan'],
      };
      const actual: Record<string, string[]> = {};
      for (const query of Object.keys(expected)) {
        const r = await get(query);
        actual[query] = r.status === 200 ? [...keysOf(r, 'match'), ...keysOf(r, 'include')].sort() : [`HTTP ${r.status}`];
      }
      expect(actual).toEqual(expected);
    });

    it.each([
      ['Observation?subject:Patient=Group/1'],
      ['Observation?subject:Organization=org-renji'],
      ['Observation?subject=not a reference'],
    ])('%s is a 400', async (query) => {
      const r = await get(query);
      expect(r.status).toBe(400);
      expect(firstIssue(r).severity).toBe('error');
    });
  });

  describe('uri', () => {
    it.each(URI_CASES)('%s', (query, expected) => expectMatches(query, expected));
  });

  describe('composite', () => {
    it.each(COMPOSITE_CASES)('%s', (query, expected) => expectMatches(query, expected));

    it('refuses a composite value without its $ separator', async () => {
      const r = await get('Observation?component-code-value-quantity=8480-6');
      expect(r.status).toBe(400);
      expect(firstIssue(r).diagnostics).toContain('component-code-value-quantity');
    });
  });

  describe('chaining and _has', () => {
    it.each(CHAIN_CASES)('%s', (query, expected) => expectMatches(query, expected));

    it.each([
      'Observation?subject:Patient.nmae=张',
      'Observation?subject.nmae=张',
      'Observation?subject:Patient.organization.nmae=北京',
      'Patient?_has:Observation:subject:cdoe=85354-6',
      'Patient?_has:Observation:sbject:code=85354-6',
      'Patient?_has:Obsrvation:subject:code=85354-6',
      'Observation?code.name=x',
    ])('%s is a 400', async (query) => {
      const r = await get(query);
      expect(r.status).toBe(400);
      expect(r.body.resourceType).toBe('OperationOutcome');
    });
  });

  describe('_include and _revinclude', () => {
    it('_include adds the referenced resources as include entries, outside the total', async () => {
      const r = await get('Observation?_id=obs-bp&_include=Observation:subject');
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(1);
      expect(keysOf(r, 'match')).toEqual(['Observation/obs-bp']);
      expect(keysOf(r, 'include')).toEqual(['Patient/pat-zhang']);
    });

    it('several _include, a target type, and *', async () => {
      const both = await get('Observation?_id=obs-bp&_include=Observation:subject&_include=Observation:performer');
      expect(keysOf(both, 'include')).toEqual(['Patient/pat-zhang', 'Practitioner/prac-li']);
      const typed = await get('Observation?_id=obs-bp&_include=Observation:performer:Practitioner');
      expect(keysOf(typed, 'include')).toEqual(['Practitioner/prac-li']);
      const wrongType = await get('Observation?_id=obs-bp&_include=Observation:performer:Organization');
      expect(wrongType.status).toBe(200);
      expect(keysOf(wrongType, 'include')).toEqual([]);
      const star = await get('Observation?_id=obs-bp&_include=*');
      expect(star.status).toBe(200);
      expect(keysOf(star, 'match')).toEqual(['Observation/obs-bp']);
      expect(keysOf(star, 'include')).toEqual(['Patient/pat-zhang', 'Practitioner/prac-li']);
      const typeStar = await get('Observation?_id=obs-bp&_include=Observation:*');
      expect(keysOf(typeStar, 'include')).toEqual(['Patient/pat-zhang', 'Practitioner/prac-li']);
    });

    it('MedicationRequest:medication includes the Medication', async () => {
      const r = await get('MedicationRequest?subject=Patient/pat-wang&_include=MedicationRequest:medication');
      expect(keysOf(r, 'match')).toEqual(['MedicationRequest/mr-metformin']);
      expect(keysOf(r, 'include')).toEqual(['Medication/med-metformin']);
      expect(entriesOf(r).find((e) => e.search?.mode === 'include')?.fullUrl).toBe(`${server.base}/Medication/med-metformin`);
    });

    it('_include:iterate follows references of included resources; plain _include does not', async () => {
      const iterate = await get('DiagnosticReport?_id=dr-cmp&_include=DiagnosticReport:result&_include:iterate=Observation:subject');
      expect(keysOf(iterate, 'match')).toEqual(['DiagnosticReport/dr-cmp']);
      expect(keysOf(iterate, 'include')).toEqual(['Observation/obs-glucose', 'Patient/pat-zhang']);
      const flat = await get('DiagnosticReport?_id=dr-cmp&_include=DiagnosticReport:result&_include=Observation:subject');
      expect(keysOf(flat, 'include')).toEqual(['Observation/obs-glucose']);
      const fromRevinclude = await get('Medication?_id=med-metformin&_revinclude=MedicationRequest:medication&_include:iterate=MedicationRequest:subject');
      expect(keysOf(fromRevinclude, 'match')).toEqual(['Medication/med-metformin']);
      expect(keysOf(fromRevinclude, 'include')).toEqual(['MedicationRequest/mr-metformin', 'Patient/pat-wang']);
    });

    it('_revinclude adds the resources that reference the matches', async () => {
      const r = await get('Patient?_id=pat-zhang&_revinclude=Observation:subject');
      expect(r.body.total).toBe(1);
      expect(keysOf(r, 'match')).toEqual(['Patient/pat-zhang']);
      expect(keysOf(r, 'include')).toEqual(ZHANG_OBS.map((id) => `Observation/${id}`).sort());
      const two = await get('Patient?_id=pat-zhang&_revinclude=Observation:subject&_revinclude=Encounter:subject');
      expect(keysOf(two, 'include')).toEqual([...ZHANG_OBS.map((id) => `Observation/${id}`), 'Encounter/enc-amb', 'Encounter/enc-acute'].sort());
      const practitioner = await get('Practitioner?_id=prac-li&_revinclude=Patient:general-practitioner&_revinclude=MedicationRequest:requester');
      expect(keysOf(practitioner, 'include')).toEqual(['MedicationRequest/mr-metformin', 'Patient/pat-zhang']);
    });

    it.each(['Observation?_include=Observation:nosuch', 'Observation?_include=Nosuch:subject', 'Observation?_include=Observation:code', 'Observation?_include:recurse=Observation:subject'])(
      '%s is a 400',
      async (query) => {
        const r = await get(query);
        expect(r.status).toBe(400);
      },
    );
  });

  describe('_text, _content, _tag, _security, _profile, _source, _list', () => {
    it.each([...TEXT_CASES, ...META_CASES])('%s', (query, expected) => expectMatches(query, expected));
  });

  describe('where: system level, POST _search, compartments', () => {
    it('searches across types at the system level with _type', async () => {
      const r = await get('?_type=Patient,Organization');
      expect(r.status).toBe(200);
      expect(keysOf(r, 'match')).toEqual([...PATIENTS.map((id) => `Patient/${id}`), 'Organization/org-renji', 'Organization/org-xiehe', 'Organization/org-escape'].sort());
      const byId = await get('?_id=pat-zhang,obs-bp,dr-cmp&_type=Patient,Observation');
      expect(keysOf(byId, 'match')).toEqual(['Observation/obs-bp', 'Patient/pat-zhang']);
      const tagged = await get(`?_tag=${TAG}|vip`);
      expect(keysOf(tagged, 'match')).toEqual(['Patient/pat-zhang']);
      const all = await get('?_count=0');
      expect(all.body.total).toBe(TOTAL);
    });

    it('refuses _type on a type-level search and unknown types', async () => {
      expect((await get('Patient?_type=Observation')).status).toBe(400);
      expect((await get('?_type=NoSuchType')).status).toBe(400);
      expect((await get('NoSuchType?name=x')).status).toBeGreaterThanOrEqual(400);
    });

    it('POST _search with a form body answers as GET', async () => {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const query = `name=${encodeURIComponent('张')}&gender=male&_include=Patient:organization`;
      const viaGet = await get(`Patient?${query}`);
      const viaPost = await call(server.base, 'POST', 'Patient/_search', query, form);
      expect(viaPost.status).toBe(200);
      expect(viaPost.body.type).toBe('searchset');
      expect(keysOf(viaPost, 'match')).toEqual(['Patient/pat-zhang']);
      expect(keysOf(viaPost, 'include')).toEqual(['Organization/org-renji']);
      expect(viaPost.body.total).toBe(viaGet.body.total);
      expect(entriesOf(viaPost).map((e) => e.resource.id)).toEqual(entriesOf(viaGet).map((e) => e.resource.id));
      // Query and body parameters together.
      const mixed = await call(server.base, 'POST', 'Patient/_search?gender=female,male', `name=${encodeURIComponent('张')}`, form);
      expect(keysOf(mixed, 'match')).toEqual(['Patient/pat-zhang']);
      const system = await call(server.base, 'POST', '_search', '_type=Observation,Patient&_id=obs-bp,pat-wang', form);
      expect(system.status).toBe(200);
      expect(keysOf(system, 'match')).toEqual(['Observation/obs-bp', 'Patient/pat-wang']);
      const invalid = await call(server.base, 'POST', 'Patient/_search', 'nmae=x', form);
      expect(invalid.status).toBe(400);
    });

    it('searches a patient compartment', async () => {
      await expectMatches('Patient/pat-zhang/Observation', ZHANG_OBS);
      await expectMatches('Patient/pat-wang/Observation', WANG_OBS);
      await expectMatches('Patient/pat-zhang/Observation?code=85354-6', ['obs-bp']);
      await expectMatches('Patient/pat-zhang/Observation?code=29463-7', []);
      await expectMatches('Patient/pat-zhang/Encounter', ['enc-amb', 'enc-acute']);
      await expectMatches('Patient/pat-zhang/Condition', ['cond-htn']);
      await expectMatches('Patient/pat-wang/MedicationRequest', ['mr-metformin']);
      await expectMatches('Patient/pat-zhangsan/Observation', []);
      await expectMatches('Patient/no-such-patient/Observation', []);
      const everyType = await get('Patient/pat-zhang/*');
      expect(everyType.status).toBe(200);
      expect(keysOf(everyType, 'match')).toEqual(
        [
          'Patient/pat-zhang',
          ...ZHANG_OBS.map((id) => `Observation/${id}`),
          'Encounter/enc-amb',
          'Encounter/enc-acute',
          'Condition/cond-htn',
          'DiagnosticReport/dr-cmp',
          'RiskAssessment/ra-low',
        ].sort(),
      );
      const outside = await get('Patient/pat-zhang/Organization');
      expect(outside.status).toBe(400);
    });
  });

  describe('result control', () => {
    const tagCodes = (e: Entry | undefined) => (e?.resource.meta?.tag ?? []).map((t) => `${t.system}|${t.code}`);

    it('_summary=count gives the total and no entries', async () => {
      const r = await get('Patient?_summary=count');
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(3);
      expect(entriesOf(r)).toEqual([]);
      const filtered = await get('Observation?subject=pat-zhang&_summary=count');
      expect(filtered.body.total).toBe(3);
      expect(entriesOf(filtered)).toEqual([]);
    });

    it('_summary=true keeps summary elements, tagged SUBSETTED', async () => {
      const r = await get('Patient?_id=pat-zhang&_summary=true');
      const [e] = entriesOf(r);
      expect(e?.resource.name).toBeDefined();
      expect(e?.resource.birthDate).toBe('1980-06-15');
      expect(e?.resource.text).toBeUndefined();
      expect(tagCodes(e)).toEqual(expect.arrayContaining([`${SUBSETTED}|SUBSETTED`, `${TAG}|vip`]));
    });

    it('_summary=text keeps text, id and meta', async () => {
      const [e] = entriesOf(await get('Patient?_id=pat-zhang&_summary=text'));
      expect(e?.resource.text).toBeDefined();
      expect(e?.resource.id).toBe('pat-zhang');
      expect(e?.resource.name).toBeUndefined();
      expect(e?.resource.birthDate).toBeUndefined();
      expect(tagCodes(e)).toContain(`${SUBSETTED}|SUBSETTED`);
    });

    it('_summary=data drops only the narrative', async () => {
      const [e] = entriesOf(await get('Patient?_id=pat-zhang&_summary=data'));
      expect(e?.resource.text).toBeUndefined();
      expect(e?.resource.name).toBeDefined();
      expect(e?.resource.address).toBeDefined();
      expect(e?.resource.generalPractitioner).toBeDefined();
      expect(tagCodes(e)).toContain(`${SUBSETTED}|SUBSETTED`);
    });

    it('_summary=false and no _summary return the whole resource, untagged', async () => {
      const [e] = entriesOf(await get('Patient?_id=pat-zhang&_summary=false'));
      expect(e?.resource.text).toBeDefined();
      expect(tagCodes(e)).not.toContain(`${SUBSETTED}|SUBSETTED`);
      const read = await get('Patient/pat-zhang');
      expect(e?.resource).toEqual(read.body);
    });

    it('_elements keeps the named elements, tagged SUBSETTED', async () => {
      const r = await get('Patient?_id=pat-zhang,pat-wang&_elements=name,gender');
      expect(r.body.total).toBe(2);
      for (const e of entriesOf(r)) {
        expect(Object.keys(e.resource).sort()).toEqual(['gender', 'id', 'meta', 'name', 'resourceType']);
        expect(tagCodes(e)).toContain(`${SUBSETTED}|SUBSETTED`);
      }
    });

    it('_total=none leaves out the total, estimate gives a number, accurate the count', async () => {
      const none = await get('Patient?_total=none');
      expect(none.status).toBe(200);
      expect(none.body.total).toBeUndefined();
      expect(idsOf(none, 'match')).toEqual(sorted(PATIENTS));
      const estimate = await get('Patient?_total=estimate');
      expect(estimate.status).toBe(200);
      expect(typeof estimate.body.total).toBe('number');
      expect(estimate.body.total).toBeGreaterThanOrEqual(0);
      const accurate = await get('Patient?_total=accurate&_count=1');
      expect(accurate.body.total).toBe(3);
      expect(entriesOf(accurate)).toHaveLength(1);
      expect(linkOf(accurate, 'next')).toBeDefined();
    });

    it('_count=0 gives only the total', async () => {
      const r = await get('Observation?_count=0');
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(OBSERVATIONS.length);
      expect(entriesOf(r)).toEqual([]);
    });

    it('_sort orders by a parameter, descending with -, ties by id', async () => {
      const byBirth = await get('Patient?_sort=birthdate');
      expect(entriesOf(byBirth).map((e) => e.resource.id)).toEqual(['pat-zhangsan', 'pat-zhang', 'pat-wang']);
      const byBirthDesc = await get('Patient?_sort=-birthdate');
      expect(entriesOf(byBirthDesc).map((e) => e.resource.id)).toEqual(['pat-wang', 'pat-zhang', 'pat-zhangsan']);
      const byGender = await get('Patient?_sort=gender,-_id');
      // female < male; the patient without a gender comes last.
      expect(entriesOf(byGender).map((e) => e.resource.id)).toEqual(['pat-wang', 'pat-zhang', 'pat-zhangsan']);
      const byDate = await get('Observation?subject=pat-zhang&_sort=-date');
      // obs-open has no end (highest value ∞), then obs-bp (03-10), then obs-glucose (ends 03-03).
      expect(entriesOf(byDate).map((e) => e.resource.id)).toEqual(['obs-open', 'obs-bp', 'obs-glucose']);
    });
  });

  describe('errors', () => {
    it('an unknown parameter is a 400 naming it', async () => {
      const r = await get('Patient?nmae=张');
      expect(r.status).toBe(400);
      const issue = firstIssue(r);
      expect(issue.severity).toBe('error');
      expect(issue.diagnostics).toContain('nmae');
      expect(issue.details.text).toContain('nmae');
      const strict = await get('Patient?nmae=张', { prefer: 'handling=strict' });
      expect(strict.status).toBe(400);
    });

    it('under Prefer: handling=lenient it is ignored, reported, and left out of the self link', async () => {
      const r = await get(`Patient?nmae=${encodeURIComponent('张')}&gender=male`, { prefer: 'handling=lenient' });
      expect(r.status).toBe(200);
      expect(idsOf(r, 'match')).toEqual(['pat-zhang']);
      const outcome = entriesOf(r).filter((e) => e.search?.mode === 'outcome');
      expect(outcome).toHaveLength(1);
      expect(outcome[0]?.resource.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(outcome[0]?.resource)).toContain('nmae');
      const self = linkOf(r, 'self') ?? '';
      expect(self).toContain('gender=male');
      expect(self).not.toContain('nmae');
      // The outcome entry is not a match.
      expect(r.body.total).toBe(1);
      const modifier = await get('Patient?gender:nto=male', { prefer: 'handling=lenient' });
      expect(modifier.status).toBe(200);
      expect(idsOf(modifier, 'match')).toEqual(sorted(PATIENTS));
      expect(linkOf(modifier, 'self')).not.toContain('nto');
    });

    it.each([
      ['Patient?birthdate=abc', 'birthdate'],
      ['Patient?birthdate=2024-13', 'birthdate'],
      ['Patient?birthdate=2024-02-30', 'birthdate'],
      ['Patient?birthdate=gtabc', 'birthdate'],
      ['Patient?_count=-1', '_count'],
      ['Patient?_count=abc', '_count'],
      ['Patient?_count=1.5', '_count'],
      ['Observation?value-quantity=x|y', 'value-quantity'],
      ['Observation?value-quantity=abc', 'value-quantity'],
      ['Observation?value-quantity=1|a|b|c', 'value-quantity'],
      ['RiskAssessment?probability=abc', 'probability'],
      ['Patient?_sort=unknown', '_sort'],
      ['Patient?_sort=-nmae', '_sort'],
      ['Patient?_sort=birthdate,bogus', '_sort'],
      ['Patient?_summary=bogus', '_summary'],
      ['Patient?_total=bogus', '_total'],
      ['Patient?_cursor=garbage', '_cursor'],
      ['Patient?identifier=a|b|c', 'identifier'],
      ['Patient?gender:missing=maybe', 'gender'],
      ['Patient?gender:nto=male', 'gender'],
      ['Patient?name:exactt=张', 'name'],
      ['Patient?birthdate:exact=1980', 'birthdate'],
      ['Patient?_lastUpdated=yesterday', '_lastUpdated'],
    ])('%s is a 400 naming %s', async (query, param) => {
      const r = await get(query);
      expect({ query, status: r.status }).toEqual({ query, status: 400 });
      const issue = firstIssue(r);
      expect(issue.severity).toBe('error');
      expect(issue.diagnostics).toContain(param);
    });

    it('a misspelled parameter never returns data', async () => {
      for (const query of [
        'Patient?nmae=张',
        'Patient?Name=张',
        'Patient?NAME=张',
        'Patient?birthDate=1980-06-15',
        'Patient?gendr=male',
        'Patient?identifer=110105198006150015',
        'Patient?_ID=pat-zhang',
        'Patient?_tga=vip',
        'Patient?family:exct=张',
        'Patient?name.given=伟',
        'Observation?subjet=Patient/pat-zhang',
        'Observation?subject:Patietn=pat-zhang',
        'Observation?code-value-quantiy=14749-6$6.1',
        '?nmae=张',
      ]) {
        const r = await get(query);
        expect({ query, status: r.status, entries: entriesOf(r).length }).toEqual({ query, status: 400, entries: 0 });
      }
    });

    it('SQL-looking values are answered 200 empty or 400, never 500, never all data', async () => {
      for (const param of HOSTILE_PARAMS) {
        for (const value of HOSTILE) {
          const query = `Patient?${param}=${encodeURIComponent(value)}`;
          const r = await get(query);
          expect({ query, status: [200, 400].includes(r.status) ? 'ok' : r.status }).toEqual({ query, status: 'ok' });
          if (r.status === 200) expect({ query, matches: idsOf(r, 'match') }).toEqual({ query, matches: [] });
          else expect(r.body.resourceType).toBe('OperationOutcome');
        }
      }
      // In parameter names, sort keys and include specs too.
      for (const query of [
        `Patient?${encodeURIComponent(`name' OR '1'='1`)}=x`,
        `Patient?_sort=${encodeURIComponent('name; DROP TABLE resource')}`,
        `Patient?_include=${encodeURIComponent(`Patient:organization' OR 1=1 --`)}`,
        `Patient?_elements=${encodeURIComponent('name) FROM resource; --')}`,
        `Patient?_has:${encodeURIComponent(`Observation:subject:code' OR 1=1 --`)}=x`,
        `${encodeURIComponent(`Patient' OR 1=1 --`)}?name=x`,
      ]) {
        const r = await get(query);
        expect({ query, status: r.status < 500 ? 'ok' : r.status }).toEqual({ query, status: 'ok' });
        if (r.status === 200 && !query.includes('_elements')) expect({ query, matches: idsOf(r, 'match') }).toEqual({ query, matches: [] });
      }
      // Nothing was dropped or changed.
      const after = await get('?_count=0');
      expect(after.body.total).toBe(TOTAL);
    });
  });
});
