/**
 * Hand-written resources in the shape of the R4 specification's examples, with Chinese
 * content: every one is valid R4 and exercises elements the minimal instances never reach
 * (choices, components, nested backbones, contained resources, extensions, bundles).
 */
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const UCUM = 'http://unitsofmeasure.org';
const narrative = (text: string) => ({ status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${text}</p></div>` });
const quantity = (value: number, unit: string, code = unit) => ({ value, unit, system: UCUM, code });
const vitalSigns = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];

const patient = {
  resourceType: 'Patient',
  id: 'zhang-san',
  meta: { versionId: '3', lastUpdated: '2024-03-01T09:00:00.000+08:00', tag: [{ system: 'http://example.org/tags', code: 'vip' }] },
  text: narrative('张三，男，1985年6月15日出生'),
  extension: [
    { url: 'http://example.org/fhir/StructureDefinition/ethnicity', valueCodeableConcept: { coding: [{ system: 'http://example.org/cn-ethnicity', code: '01', display: '汉族' }] } },
  ],
  identifier: [
    { use: 'official', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }], text: '居民身份证' }, system: 'urn:oid:2.16.156.10011.1.1', value: '110101198506151234' },
    { use: 'usual', system: 'http://hospital.example.org/mrn', value: 'MRN-000123', period: { start: '2010-01-01' }, assigner: { display: '北京协和医院' } },
  ],
  active: true,
  name: [
    { use: 'official', text: '张三', family: '张', given: ['三'] },
    { use: 'usual', text: 'Zhang San', family: 'Zhang', given: ['San'], _given: [{ extension: [{ url: 'http://example.org/fhir/StructureDefinition/romanised', valueBoolean: true }] }] },
  ],
  telecom: [
    { system: 'phone', value: '+86 138 0013 8000', use: 'mobile', rank: 1 },
    { system: 'email', value: 'zhangsan@example.org', use: 'home' },
  ],
  gender: 'male',
  birthDate: '1985-06-15',
  _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1985-06-15T08:20:00+08:00' }] },
  deceasedBoolean: false,
  address: [{ use: 'home', type: 'physical', text: '北京市东城区帅府园1号', line: ['帅府园1号'], city: '北京市', district: '东城区', postalCode: '100730', country: 'CN', period: { start: '2010-03-01' } }],
  maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M', display: 'Married' }], text: '已婚' },
  multipleBirthBoolean: false,
  contact: [
    {
      relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }],
      name: { text: '李四', family: '李', given: ['四'] },
      telecom: [{ system: 'phone', value: '13900139000' }],
      gender: 'female',
      period: { start: '2012-01-01' },
    },
  ],
  communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'zh-CN', display: 'Chinese (China)' }] }, preferred: true }],
  generalPractitioner: [{ reference: 'Practitioner/li-si', display: '李四医生' }],
  managingOrganization: { reference: 'Organization/pumch', display: '北京协和医院' },
  link: [{ other: { reference: 'Patient/zhang-san-old' }, type: 'replaces' }],
};

const bloodPressure = {
  resourceType: 'Observation',
  id: 'blood-pressure',
  meta: { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] },
  identifier: [{ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:187e0c12-8dd2-67e2-99b2-bf273c878281' }],
  basedOn: [{ identifier: { system: 'https://acme.org/identifiers', value: '1234' } }],
  status: 'final',
  category: vitalSigns,
  code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }], text: '血压' },
  subject: { reference: 'Patient/zhang-san' },
  effectiveDateTime: '2024-03-01T09:30:00+08:00',
  performer: [{ reference: 'Practitioner/li-si' }],
  interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'L' }], text: '偏低' }],
  bodySite: { coding: [{ system: SNOMED, code: '368209003', display: 'Right arm' }], text: '右上臂' },
  component: [
    {
      code: { coding: [{ system: LOINC, code: '8480-6' }, { system: SNOMED, code: '271649006' }], text: '收缩压' },
      valueQuantity: quantity(107, 'mmHg', 'mm[Hg]'),
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'N' }] }],
    },
    { code: { coding: [{ system: LOINC, code: '8462-4' }], text: '舒张压' }, valueQuantity: quantity(60, 'mmHg', 'mm[Hg]') },
  ],
};

const glucose = {
  resourceType: 'Observation',
  id: 'glucose',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: LOINC, code: '15074-8', display: 'Glucose [Moles/volume] in Blood' }], text: '血糖' },
  subject: { reference: 'Patient/zhang-san' },
  effectivePeriod: { start: '2024-03-01T07:00:00+08:00', end: '2024-03-01T07:30:00+08:00' },
  issued: '2024-03-01T10:00:00.000+08:00',
  performer: [{ reference: 'Practitioner/li-si', display: '检验科' }],
  valueQuantity: { value: 6.3, unit: 'mmol/l', system: UCUM, code: 'mmol/L' },
  interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }],
  note: [{ authorString: '王护士', time: '2024-03-01T10:05:00+08:00', text: '空腹采血' }],
  referenceRange: [{ low: quantity(3.1, 'mmol/l', 'mmol/L'), high: quantity(6.2, 'mmol/l', 'mmol/L'), text: '3.1–6.2 mmol/L' }],
};

const absentHeartRate = {
  resourceType: 'Observation',
  status: 'cancelled',
  category: vitalSigns,
  code: { coding: [{ system: LOINC, code: '8867-4' }], text: '心率' },
  subject: { reference: 'Patient/zhang-san' },
  effectiveDateTime: '2024-03-01',
  dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'not-performed' }] },
};

const sampledEcg = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.24', code: '131328' }], text: '心电图' },
  subject: { reference: 'Patient/zhang-san' },
  device: { display: '12 导联心电图机' },
  component: [
    {
      code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.24', code: '131329' }] },
      valueSampledData: { origin: { value: 2048 }, period: 10, factor: 1.612, lowerLimit: -3300, upperLimit: 3300, dimensions: 1, data: '2041 2043 2037 2047 2060' },
    },
  ],
};

const organization = {
  resourceType: 'Organization',
  id: 'pumch',
  identifier: [{ system: 'http://example.org/cn-uscc', value: '12100000400000624D' }],
  active: true,
  type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov' }] }],
  name: '北京协和医院',
  alias: ['协和医院'],
  telecom: [{ system: 'phone', value: '010-69156114' }],
  address: [{ text: '北京市东城区帅府园1号', city: '北京市', country: 'CN' }],
};

const practitioner = {
  resourceType: 'Practitioner',
  id: 'li-si',
  identifier: [{ system: 'http://example.org/cn-physician-licence', value: '110110000012345' }],
  active: true,
  name: [{ text: '李四', family: '李', given: ['四'], prefix: ['主任医师'] }],
  gender: 'female',
  birthDate: '1970',
  qualification: [{ code: { text: '执业医师资格证' }, period: { start: '1995-07' }, issuer: { reference: 'Organization/pumch' } }],
  communication: [{ coding: [{ system: 'urn:ietf:bcp:47', code: 'zh' }] }],
};

const practitionerRole = {
  resourceType: 'PractitionerRole',
  practitioner: { reference: 'Practitioner/li-si' },
  organization: { reference: 'Organization/pumch' },
  code: [{ text: '心内科主任' }],
  availableTime: [{ daysOfWeek: ['mon', 'wed', 'fri'], availableStartTime: '08:00:00', availableEndTime: '12:00:00' }],
  notAvailable: [{ description: '春节休假', during: { start: '2024-02-09', end: '2024-02-17' } }],
};

const encounter = {
  resourceType: 'Encounter',
  id: 'visit-1',
  status: 'finished',
  statusHistory: [{ status: 'arrived', period: { start: '2024-03-01T08:00:00+08:00', end: '2024-03-01T08:15:00+08:00' } }],
  class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
  type: [{ text: '门诊' }],
  subject: { reference: 'Patient/zhang-san' },
  participant: [{ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF' }] }], individual: { reference: 'Practitioner/li-si' } }],
  period: { start: '2024-03-01T08:00:00+08:00', end: '2024-03-01T09:45:00+08:00' },
  reasonCode: [{ text: '头晕三天' }],
  diagnosis: [{ condition: { reference: 'Condition/hypertension' }, use: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/diagnosis-role', code: 'AD' }] }, rank: 1 }],
  location: [{ location: { reference: 'Location/cardiology' }, status: 'completed' }],
  serviceProvider: { reference: 'Organization/pumch' },
};

const condition = {
  resourceType: 'Condition',
  id: 'hypertension',
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
  severity: { coding: [{ system: SNOMED, code: '6736007', display: 'Moderate' }] },
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }], text: '原发性高血压' },
  subject: { reference: 'Patient/zhang-san' },
  encounter: { reference: 'Encounter/visit-1' },
  onsetAge: { value: 35, unit: '岁', system: UCUM, code: 'a' },
  recordedDate: '2024-03-01',
  evidence: [{ detail: [{ reference: 'Observation/blood-pressure' }] }],
};

const allergy = {
  resourceType: 'AllergyIntolerance',
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
  verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
  type: 'allergy',
  category: ['medication'],
  criticality: 'high',
  code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7980' }], text: '青霉素' },
  patient: { reference: 'Patient/zhang-san' },
  onsetDateTime: '2004',
  reaction: [{ manifestation: [{ text: '皮疹' }], severity: 'moderate', exposureRoute: { text: '口服' } }],
};

const medication = {
  resourceType: 'Medication',
  id: 'amlodipine',
  code: { coding: [{ system: 'http://example.org/nmpa', code: 'H20031021' }], text: '苯磺酸氨氯地平片' },
  status: 'active',
  form: { text: '片剂' },
  ingredient: [{ itemCodeableConcept: { text: '氨氯地平' }, isActive: true, strength: { numerator: quantity(5, 'mg'), denominator: { value: 1, unit: '片', system: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm', code: 'TAB' } } }],
  batch: { lotNumber: 'B20240101', expirationDate: '2026-01-01' },
};

const medicationRequest = {
  resourceType: 'MedicationRequest',
  id: 'rx-1',
  contained: [medication],
  status: 'active',
  intent: 'order',
  medicationReference: { reference: '#amlodipine' },
  subject: { reference: 'Patient/zhang-san' },
  encounter: { reference: 'Encounter/visit-1' },
  authoredOn: '2024-03-01T09:40:00+08:00',
  requester: { reference: 'Practitioner/li-si' },
  reasonReference: [{ reference: 'Condition/hypertension' }],
  dosageInstruction: [
    {
      sequence: 1,
      text: '每日一次，每次一片，早餐后口服',
      timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd', when: ['PCM'], offset: 30 } },
      route: { coding: [{ system: SNOMED, code: '26643006' }], text: '口服' },
      doseAndRate: [{ type: { text: 'ordered' }, doseQuantity: quantity(1, '片', '{tbl}') }],
      maxDosePerPeriod: { numerator: quantity(2, '片', '{tbl}'), denominator: quantity(1, 'd') },
    },
  ],
  dispenseRequest: { validityPeriod: { start: '2024-03-01', end: '2024-03-31' }, numberOfRepeatsAllowed: 2, quantity: quantity(30, '片', '{tbl}'), expectedSupplyDuration: { value: 30, unit: 'days', system: UCUM, code: 'd' } },
  substitution: { allowedBoolean: true },
};

const immunization = {
  resourceType: 'Immunization',
  status: 'completed',
  vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '08' }], text: '乙肝疫苗' },
  patient: { reference: 'Patient/zhang-san' },
  occurrenceDateTime: '2023-10-01T10:00:00+08:00',
  primarySource: true,
  lotNumber: 'HB2023',
  site: { text: '左上臂' },
  doseQuantity: quantity(10, 'ug'),
  performer: [{ function: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0443', code: 'AP' }] }, actor: { reference: 'Practitioner/li-si' } }],
  protocolApplied: [{ series: '0-1-6', doseNumberPositiveInt: 1, seriesDosesPositiveInt: 3 }],
};

const procedure = {
  resourceType: 'Procedure',
  status: 'completed',
  code: { coding: [{ system: SNOMED, code: '80146002' }], text: '阑尾切除术' },
  subject: { reference: 'Patient/zhang-san' },
  performedPeriod: { start: '2015-04-01T09:00:00+08:00', end: '2015-04-01T10:10:00+08:00' },
  performer: [{ actor: { reference: 'Practitioner/li-si' }, onBehalfOf: { reference: 'Organization/pumch' } }],
  bodySite: [{ text: '右下腹' }],
  outcome: { text: '顺利' },
  followUp: [{ text: '术后一周拆线' }],
  note: [{ authorReference: { reference: 'Practitioner/li-si' }, text: '无并发症' }],
};

const diagnosticReport = {
  resourceType: 'DiagnosticReport',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
  code: { coding: [{ system: LOINC, code: '24323-8' }], text: '生化检查' },
  subject: { reference: 'Patient/zhang-san' },
  effectiveDateTime: '2024-03-01T07:00:00+08:00',
  issued: '2024-03-01T11:00:00+08:00',
  performer: [{ reference: 'Organization/pumch' }],
  result: [{ reference: 'Observation/glucose' }],
  conclusion: '空腹血糖偏高',
  presentedForm: [{ contentType: 'application/pdf', language: 'zh-CN', url: 'http://example.org/reports/1.pdf', title: '检验报告' }],
};

const serviceRequest = {
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  priority: 'urgent',
  code: { text: '头颅 CT 平扫' },
  subject: { reference: 'Patient/zhang-san' },
  occurrenceTiming: { repeat: { boundsPeriod: { start: '2024-03-02' }, count: 1 } },
  requester: { reference: 'Practitioner/li-si' },
  reasonCode: [{ text: '头晕待查' }],
  quantityQuantity: { value: 1 },
};

const carePlan = {
  resourceType: 'CarePlan',
  status: 'active',
  intent: 'plan',
  title: '高血压管理计划',
  subject: { reference: 'Patient/zhang-san' },
  period: { start: '2024-03-01' },
  addresses: [{ reference: 'Condition/hypertension' }],
  goal: [{ reference: 'Goal/bp' }],
  activity: [
    {
      detail: {
        kind: 'ServiceRequest',
        code: { text: '每周测量血压' },
        status: 'in-progress',
        scheduledTiming: { repeat: { frequency: 1, period: 1, periodUnit: 'wk' } },
        performer: [{ reference: 'Patient/zhang-san' }],
      },
    },
  ],
};

const goal = {
  resourceType: 'Goal',
  id: 'bp',
  lifecycleStatus: 'active',
  description: { text: '血压控制在 140/90 mmHg 以下' },
  subject: { reference: 'Patient/zhang-san' },
  target: [{ measure: { coding: [{ system: LOINC, code: '8480-6' }] }, detailQuantity: quantity(140, 'mmHg', 'mm[Hg]'), dueDate: '2024-06-01' }],
};

const questionnaire = {
  resourceType: 'Questionnaire',
  id: 'phq-2',
  url: 'http://example.org/fhir/Questionnaire/phq-2',
  name: 'PHQ2',
  title: '抑郁筛查',
  status: 'active',
  subjectType: ['Patient'],
  item: [
    {
      linkId: 'intro',
      type: 'display',
      text: '在过去两周里，您有多少时间受到以下问题困扰？',
    },
    {
      linkId: 'g1',
      type: 'group',
      item: [
        {
          linkId: 'q1',
          text: '做事时提不起劲或没有兴趣',
          type: 'choice',
          required: true,
          answerOption: [{ valueCoding: { system: 'http://example.org/answers', code: '0', display: '完全不会' } }, { valueCoding: { system: 'http://example.org/answers', code: '1', display: '好几天' } }],
        },
        { linkId: 'q2', text: '感到心情低落', type: 'boolean', enableWhen: [{ question: 'q1', operator: 'exists', answerBoolean: true }] },
        { linkId: 'q3', text: '备注', type: 'string', maxLength: 200 },
      ],
    },
  ],
};

const questionnaireResponse = {
  resourceType: 'QuestionnaireResponse',
  questionnaire: 'http://example.org/fhir/Questionnaire/phq-2',
  status: 'completed',
  subject: { reference: 'Patient/zhang-san' },
  authored: '2024-03-01T10:00:00+08:00',
  item: [
    {
      linkId: 'g1',
      item: [
        { linkId: 'q1', answer: [{ valueCoding: { system: 'http://example.org/answers', code: '1' } }] },
        { linkId: 'q2', answer: [{ valueBoolean: false }] },
        { linkId: 'q3', answer: [{ valueString: '睡眠不好' }] },
      ],
    },
  ],
};

const appointment = {
  resourceType: 'Appointment',
  status: 'booked',
  serviceType: [{ text: '心内科复诊' }],
  description: '高血压复诊',
  start: '2024-03-15T09:00:00+08:00',
  end: '2024-03-15T09:15:00+08:00',
  participant: [
    { actor: { reference: 'Patient/zhang-san', display: '张三' }, required: 'required', status: 'accepted' },
    { type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'ATND' }] }], actor: { reference: 'Practitioner/li-si' }, status: 'accepted' },
  ],
};

const location = {
  resourceType: 'Location',
  id: 'cardiology',
  status: 'active',
  name: '心内科门诊',
  mode: 'instance',
  address: { text: '门诊楼三层', city: '北京市' },
  physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'wa' }] },
  position: { longitude: 116.4179, latitude: 39.9135 },
  managingOrganization: { reference: 'Organization/pumch' },
  hoursOfOperation: [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], openingTime: '08:00:00', closingTime: '17:00:00' }],
};

const documentReference = {
  resourceType: 'DocumentReference',
  status: 'current',
  docStatus: 'final',
  type: { coding: [{ system: LOINC, code: '18842-5' }], text: '出院小结' },
  subject: { reference: 'Patient/zhang-san' },
  date: '2024-03-01T12:00:00+08:00',
  author: [{ reference: 'Practitioner/li-si' }],
  relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/old' } }],
  content: [{ attachment: { contentType: 'text/plain', language: 'zh-CN', data: '5Ye66Zmi5bCP57uT', title: '出院小结' }, format: { system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3', code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' } }],
  context: { encounter: [{ reference: 'Encounter/visit-1' }], period: { start: '2024-02-25', end: '2024-03-01' } },
};

const coverage = {
  resourceType: 'Coverage',
  status: 'active',
  type: { text: '城镇职工基本医疗保险' },
  subscriberId: '110101198506151234',
  beneficiary: { reference: 'Patient/zhang-san' },
  relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self' }] },
  period: { start: '2024-01-01', end: '2024-12-31' },
  payor: [{ display: '北京市医疗保障局' }],
  costToBeneficiary: [{ type: { text: '门诊起付线' }, valueMoney: { value: 1800, currency: 'CNY' } }],
};

const group = {
  resourceType: 'Group',
  type: 'person',
  actual: true,
  name: '高血压随访队列',
  quantity: 2,
  characteristic: [{ code: { text: '诊断' }, valueCodeableConcept: { text: '原发性高血压' }, exclude: false }],
  member: [{ entity: { reference: 'Patient/zhang-san' } }, { entity: { reference: 'Patient/wang-wu' }, inactive: true }],
};

const device = {
  resourceType: 'Device',
  status: 'active',
  manufacturer: '鱼跃医疗',
  deviceName: [{ name: '电子血压计', type: 'user-friendly-name' }],
  modelNumber: 'YE-660',
  patient: { reference: 'Patient/zhang-san' },
  udiCarrier: [{ deviceIdentifier: '06945057800124', carrierHRF: '(01)06945057800124', entryType: 'barcode' }],
};

const specimen = {
  resourceType: 'Specimen',
  status: 'available',
  type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0487', code: 'BLD' }], text: '静脉血' },
  subject: { reference: 'Patient/zhang-san' },
  receivedTime: '2024-03-01T07:40:00+08:00',
  collection: { collectedDateTime: '2024-03-01T07:10:00+08:00', quantity: quantity(3, 'mL'), bodySite: { text: '左肘正中静脉' } },
  container: [{ description: '真空采血管', capacity: quantity(5, 'mL'), additiveCodeableConcept: { text: '肝素' } }],
};

const consent = {
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: LOINC, code: '59284-0' }] }],
  patient: { reference: 'Patient/zhang-san' },
  dateTime: '2024-03-01T08:05:00+08:00',
  policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
  provision: { type: 'permit', period: { start: '2024-03-01', end: '2025-03-01' }, actor: [{ role: { text: '主治医师' }, reference: { reference: 'Practitioner/li-si' } }], action: [{ text: '查阅' }] },
};

const provenance = {
  resourceType: 'Provenance',
  target: [{ reference: 'Observation/glucose/_history/1' }],
  recorded: '2024-03-01T10:00:00.000+08:00',
  activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'CREATE' }] },
  agent: [{ type: { text: '录入人' }, who: { reference: 'Practitioner/li-si' }, onBehalfOf: { reference: 'Organization/pumch' } }],
  signature: [{ type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1' }], when: '2024-03-01T10:00:00+08:00', who: { reference: 'Practitioner/li-si' }, data: 'c2lnbmF0dXJl' }],
};

const auditEvent = {
  resourceType: 'AuditEvent',
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
  action: 'R',
  recorded: '2024-03-01T10:01:00+08:00',
  outcome: '0',
  agent: [{ who: { reference: 'Practitioner/li-si' }, requestor: true, network: { address: '10.0.0.8', type: '2' } }],
  source: { observer: { display: '协和 FHIR 服务器' } },
  entity: [{ what: { reference: 'Patient/zhang-san' }, query: 'bmFtZT0lRTUlQkMlQTA=' }],
};

const subscription = {
  resourceType: 'Subscription',
  status: 'requested',
  reason: '检验结果通知',
  criteria: 'Observation?category=laboratory',
  channel: { type: 'rest-hook', endpoint: 'https://his.example.org/fhir-notify', payload: 'application/fhir+json', header: ['Authorization: Bearer x'] },
};

const operationOutcome = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'required', details: { text: '缺少必填元素' }, expression: ['Patient.name'] }],
};

const valueSet = {
  resourceType: 'ValueSet',
  url: 'http://example.org/fhir/ValueSet/blood-type',
  name: 'BloodType',
  title: '血型',
  status: 'draft',
  compose: { include: [{ system: 'http://example.org/fhir/CodeSystem/blood-type', concept: [{ code: 'A' }, { code: 'B' }, { code: 'AB' }, { code: 'O' }] }] },
};

const codeSystem = {
  resourceType: 'CodeSystem',
  url: 'http://example.org/fhir/CodeSystem/blood-type',
  name: 'BloodType',
  status: 'draft',
  content: 'complete',
  concept: [
    { code: 'A', display: 'A 型' },
    { code: 'B', display: 'B 型' },
    { code: 'AB', display: 'AB 型', designation: [{ language: 'en', value: 'Type AB' }] },
    { code: 'O', display: 'O 型' },
  ],
};

const capabilityStatement = {
  resourceType: 'CapabilityStatement',
  status: 'active',
  date: '2024-03-01',
  kind: 'instance',
  implementation: { description: 'Qiao FHIR 服务器', url: 'https://fhir.example.org/r4' },
  fhirVersion: '4.0.1',
  format: ['json', 'xml'],
  rest: [
    {
      mode: 'server',
      resource: [
        { type: 'Patient', interaction: [{ code: 'read' }, { code: 'create' }], searchParam: [{ name: 'name', type: 'string' }] },
      ],
      interaction: [{ code: 'transaction' }],
    },
  ],
};

const parameters = {
  resourceType: 'Parameters',
  parameter: [
    { name: 'count', valueInteger: 10 },
    { name: 'patient', resource: patient },
    { name: 'period', part: [{ name: 'start', valueDate: '2024-01-01' }, { name: 'end', valueDate: '2024-12-31' }] },
  ],
};

const transaction = {
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    {
      fullUrl: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a',
      resource: { ...patient, id: undefined, meta: undefined },
      request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=http://hospital.example.org/mrn|MRN-000123' },
    },
    {
      fullUrl: 'urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059',
      resource: { ...glucose, id: undefined, subject: { reference: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a' } },
      request: { method: 'POST', url: 'Observation' },
    },
    { request: { method: 'DELETE', url: 'Observation/old' } },
    { resource: organization, request: { method: 'PUT', url: 'Organization/pumch', ifMatch: 'W/"2"' } },
  ],
};

const searchSet = {
  resourceType: 'Bundle',
  type: 'searchset',
  total: 1,
  link: [{ relation: 'self', url: 'https://fhir.example.org/r4/Patient?name=张' }],
  entry: [
    { fullUrl: 'https://fhir.example.org/r4/Patient/zhang-san', resource: patient, search: { mode: 'match', score: 1 } },
    { fullUrl: 'https://fhir.example.org/r4/Organization/pumch', resource: organization, search: { mode: 'include' } },
  ],
};

const document = {
  resourceType: 'Bundle',
  identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0' },
  type: 'document',
  timestamp: '2024-03-01T12:00:00+08:00',
  entry: [
    {
      fullUrl: 'urn:uuid:180f219f-97a8-486d-99d9-ed631fe4fc57',
      resource: {
        resourceType: 'Composition',
        status: 'final',
        type: { coding: [{ system: LOINC, code: '18842-5' }], text: '出院小结' },
        subject: { reference: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a' },
        date: '2024-03-01T12:00:00+08:00',
        author: [{ reference: 'Practitioner/li-si' }],
        title: '出院小结',
        confidentiality: 'N',
        attester: [{ mode: 'legal', time: '2024-03-01T12:00:00+08:00', party: { reference: 'Practitioner/li-si' } }],
        section: [{ title: '出院诊断', code: { text: '出院诊断' }, text: narrative('原发性高血压'), entry: [{ reference: 'Condition/hypertension' }] }],
      },
    },
    { fullUrl: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a', resource: { ...patient, id: undefined } },
  ],
};

const batchResponse = {
  resourceType: 'Bundle',
  type: 'batch-response',
  entry: [
    { response: { status: '201 Created', location: 'Patient/zhang-san/_history/1', etag: 'W/"1"', lastModified: '2024-03-01T10:00:00+08:00' } },
    { response: { status: '404 Not Found', outcome: operationOutcome } },
  ],
};

export const EXAMPLES: readonly Record<string, unknown>[] = [
  patient,
  bloodPressure,
  glucose,
  absentHeartRate,
  sampledEcg,
  organization,
  practitioner,
  practitionerRole,
  encounter,
  condition,
  allergy,
  medication,
  medicationRequest,
  immunization,
  procedure,
  diagnosticReport,
  serviceRequest,
  carePlan,
  goal,
  questionnaire,
  questionnaireResponse,
  appointment,
  location,
  documentReference,
  coverage,
  group,
  device,
  specimen,
  consent,
  provenance,
  auditEvent,
  subscription,
  operationOutcome,
  valueSet,
  codeSystem,
  capabilityStatement,
  parameters,
  transaction,
  searchSet,
  document,
  batchResponse,
];
