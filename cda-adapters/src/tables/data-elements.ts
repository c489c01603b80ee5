/**
 * WS/T 363 data elements the mapping tables and rules name. Codes and Chinese names as WS/T 500
 * documents carry them in `code/@code` and `@displayName`; `type` is the CDA data type the
 * standard gives the value. A coded element names its value set: the OID that WS/T 500 writes as
 * the value's `codeSystem` (WS 364 tables 2.16.156.10011.2.3.1.N, WS/T 500's own 2.3.2.N, national
 * standards 2.3.3.N). Codes not listed here are still accepted (as generic Observations) when they
 * have the DE format.
 */
export interface DataElement {
  zh: string;
  type: 'ST' | 'CD' | 'PQ' | 'INT' | 'TS' | 'BL' | 'REAL';
  binding?: Binding;
}

/**
 * `required`: the standard gives the value set as the element's value domain, so a code outside
 * it is an error. `preferred`: the standard's table is the reference but regions extend it (e.g.
 * 医疗付费方式 1.1/1.2), so a code outside it is a warning.
 */
export interface Binding {
  valueSet: string;
  strength: 'required' | 'preferred';
}

const required = (valueSet: string): Binding => ({ valueSet, strength: 'required' });
const preferred = (valueSet: string): Binding => ({ valueSet, strength: 'preferred' });

/** The value sets data elements are bound to, by their national OID. */
export const VALUE_SET = {
  icd10: '2.16.156.10011.2.3.3.11',
  icd9cm3: '2.16.156.10011.2.3.3.12',
  aboBloodType: '2.16.156.10011.2.3.1.85',
  rhBloodType: '2.16.156.10011.2.3.1.250',
  medicationRoute: '2.16.156.10011.2.3.1.158',
  dosageForm: '2.16.156.10011.2.3.1.211',
  anaesthesiaMethod: '2.16.156.10011.2.3.1.159',
  admissionCondition: '2.16.156.10011.2.3.1.253',
  woundClass: '2.16.156.10011.2.3.1.256',
  surgeryLevel: '2.16.156.10011.2.3.1.258',
  dischargeDisposition: '2.16.156.10011.2.3.1.265',
  paymentMethod: '2.16.156.10011.2.3.1.269',
  patientType: '2.16.156.10011.2.3.1.271',
  bloodProduct: '2.16.156.10011.2.3.1.251',
  professionalTitle: '2.16.156.10011.2.3.1.209',
  medicalRecordQuality: '2.16.156.10011.2.3.2.29',
  examinationResult: '2.16.156.10011.2.3.2.38',
  transfusionHistory: '2.16.156.10011.2.3.2.42',
  orderCategory: '2.16.156.10011.2.3.2.58',
} as const;

export const DE_FORMAT = /^DE\d{2}\.\d{2}\.\d{3}\.\d{2}$/;

export const DATA_ELEMENTS: Readonly<Record<string, DataElement>> = {
  'DE04.01.119.00': { zh: '主诉', type: 'ST' },
  'DE02.10.071.00': { zh: '现病史', type: 'ST' },
  'DE02.10.099.00': { zh: '既往史', type: 'ST' },
  'DE02.10.023.00': { zh: '过敏史', type: 'ST' },
  'DE04.10.258.00': { zh: '体格检查', type: 'ST' },
  'DE05.01.024.00': { zh: '诊断代码', type: 'CD', binding: required(VALUE_SET.icd10) },
  'DE05.01.025.00': { zh: '诊断名称', type: 'ST' },
  'DE06.00.093.00': { zh: '手术及操作代码', type: 'CD', binding: required(VALUE_SET.icd9cm3) },
  'DE06.00.094.00': { zh: '手术及操作名称', type: 'ST' },
  'DE08.50.022.00': { zh: '药物名称', type: 'ST' },
  'DE06.00.133.00': { zh: '药物使用频率', type: 'ST' },
  'DE06.00.135.00': { zh: '药物使用总剂量', type: 'PQ' },
  'DE04.30.018.00': { zh: '检查/检验类别', type: 'ST' },
  'DE04.30.019.00': { zh: '检查/检验项目代码', type: 'ST' },
  'DE04.30.020.00': { zh: '检查/检验项目名称', type: 'ST' },
  'DE04.30.015.00': { zh: '检查/检验定量结果', type: 'PQ' },
  'DE04.30.017.00': { zh: '检查/检验结果代码', type: 'CD', binding: required(VALUE_SET.examinationResult) },
  'DE04.50.134.00': { zh: '标本类别', type: 'ST' },
  'DE04.50.130.00': { zh: '检查报告结果-客观所见', type: 'ST' },
  'DE04.50.131.00': { zh: '检查报告结果-主观提示', type: 'ST' },
  'DE04.10.174.00': { zh: '收缩压', type: 'PQ' },
  'DE04.10.176.00': { zh: '舒张压', type: 'PQ' },
  'DE04.10.188.00': { zh: '体重', type: 'PQ' },
  'DE04.10.167.00': { zh: '身高', type: 'PQ' },
  'DE04.50.102.00': { zh: '空腹血糖值', type: 'PQ' },
  'DE06.00.218.00': { zh: '治疗计划', type: 'ST' },
  'DE06.00.296.00': { zh: '诊疗过程描述', type: 'ST' },
  'DE06.00.179.00': { zh: '会诊意见', type: 'ST' },
  'DE06.00.287.00': { zh: '出院医嘱', type: 'ST' },
  'DE01.00.018.00': { zh: '转诊原因', type: 'ST' },
  'DE08.10.013.00': { zh: '转入医疗机构名称', type: 'ST' },
  'DE06.00.110.00': { zh: '随访日期', type: 'TS' },
  // Coded elements of the inpatient documents (住院病案首页, 出院小结, 手术记录) and the header data.
  'DE02.01.060.00': { zh: '患者类型代码', type: 'CD', binding: required(VALUE_SET.patientType) },
  'DE04.50.001.00': { zh: 'ABO血型代码', type: 'CD', binding: required(VALUE_SET.aboBloodType) },
  'DE04.50.010.00': { zh: 'Rh(D)血型代码', type: 'CD', binding: required(VALUE_SET.rhBloodType) },
  'DE05.10.147.00': { zh: '手术切口愈合等级代码', type: 'CD' },
  'DE06.00.073.00': { zh: '麻醉方法代码', type: 'CD', binding: required(VALUE_SET.anaesthesiaMethod) },
  'DE06.00.106.00': { zh: '输血史标识代码', type: 'CD', binding: required(VALUE_SET.transfusionHistory) },
  'DE06.00.223.00': { zh: '离院方式代码', type: 'CD', binding: required(VALUE_SET.dischargeDisposition) },
  'DE06.00.255.00': { zh: '手术级别代码', type: 'CD', binding: required(VALUE_SET.surgeryLevel) },
  'DE06.00.257.00': { zh: '手术切口类别代码', type: 'CD', binding: required(VALUE_SET.woundClass) },
  'DE06.00.286.00': { zh: '医嘱类别', type: 'CD', binding: required(VALUE_SET.orderCategory) },
  'DE07.00.007.00': { zh: '医疗付费方式代码', type: 'CD', binding: preferred(VALUE_SET.paymentMethod) },
  // Preferred: the shipped table lacks 待聘, which one implementation numbers 6 (terminology PROVENANCE).
  'DE08.30.031.00': { zh: '专业技术职务类别代码', type: 'CD', binding: preferred(VALUE_SET.professionalTitle) },
  'DE08.50.011.00': { zh: '药物剂型代码', type: 'CD', binding: required(VALUE_SET.dosageForm) },
  'DE08.50.040.00': { zh: '输血品种代码', type: 'CD', binding: required(VALUE_SET.bloodProduct) },
  'DE09.00.103.00': { zh: '病案质量', type: 'CD', binding: required(VALUE_SET.medicalRecordQuality) },
  'DE09.00.104.00': { zh: '入院病情代码', type: 'CD', binding: required(VALUE_SET.admissionCondition) },
};

/**
 * Coded CDA elements of an entry that are not data-element observations, by element name, with
 * the data element they carry: substanceAdministration/routeCode is 药物使用途径代码, its
 * administrationUnitCode the dosage form.
 */
export const CODED_ELEMENTS: Readonly<Record<string, { de: string; zh: string; binding: Binding }>> = {
  routeCode: { de: 'DE06.00.134.00', zh: '用药途径代码', binding: required(VALUE_SET.medicationRoute) },
  administrationUnitCode: { de: 'DE08.50.011.00', zh: '药物剂型代码', binding: required(VALUE_SET.dosageForm) },
};
