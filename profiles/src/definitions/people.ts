import type { CompactProfile } from './compact.js';
import { bound, extensionSlices, identifierSlices, mustSupport, rule } from './compact.js';
import { ID, vs } from '../systems.js';

/** The resident ID number's form; the check character itself is rule `cn-pid-1`'s (see the README). */
const RESIDENT_ID_FORM = "matches('^[0-9]{6}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$')";
const residentIdRules = [
  rule('cn-pid-1', '居民身份证号码不符合 GB 11643（格式、出生日期或校验码错误）', 'Resident ID number does not conform to GB 11643 (format, birth date or check character)', RESIDENT_ID_FORM),
];
const WELL_FORMED_ID = `identifier.where(system = '${ID.residentId}' and value.matches('^[0-9]{17}[0-9X]$'))`;

const residentId = { name: 'residentId', system: ID.residentId, short: '居民身份证号码 | Resident ID number (GB 11643)', valueRules: residentIdRules };

/** WS 445 / WS 365 person data elements that every CN person profile shares. */
export const PATIENT: CompactProfile = {
  id: 'cn-patient',
  type: 'Patient',
  name: 'CNPatient',
  title: '中国患者 | CN Patient',
  description:
    'WS 445 / WS 365 患者基本信息：身份证件、姓名、性别、出生日期为必填，其余为必须支持 | Patient per WS 445 / WS 365: an identity document, name, sex and birth date are mandatory; the rest is must-support',
  elements: [
    {
      id: 'Patient',
      constraint: [
        rule('cn-pat-1', '出生日期与居民身份证号码中的出生日期不一致', 'Birth date differs from the one in the resident ID number', `${WELL_FORMED_ID}.all(%resource.birthDate.empty() or (value.substring(6, 4) + '-' + value.substring(10, 2) + '-' + value.substring(12, 2)) = %resource.birthDate.toString())`),
        rule('cn-pat-2', '性别与居民身份证号码（第 17 位奇男偶女）不一致', 'Sex differs from the resident ID number (17th digit odd for male, even for female)', `${WELL_FORMED_ID}.all(%resource.gender.empty() or %resource.gender = iif(value.substring(16, 1).toInteger() mod 2 = 1, 'male', 'female'))`),
      ],
    },
    ...extensionSlices('Patient.extension', [
      { name: 'ethnicity', extension: 'ethnicity' },
      { name: 'nationality', extension: 'nationality' },
      { name: 'occupation', extension: 'occupation' },
      { name: 'education', extension: 'education' },
    ]),
    ...identifierSlices(
      'Patient.identifier',
      [
        residentId,
        { name: 'healthRecord', system: ID.healthRecord, short: '居民健康档案编号 | Health record number' },
        { name: 'insuranceCard', system: ID.insuranceCard, short: '医疗保险卡号 | Insurance card number' },
        { name: 'healthCard', system: ID.healthCard, short: '居民健康卡号 | Resident health card number' },
        { name: 'outpatientNo', system: ID.outpatientNo, short: '门诊号 | Outpatient number', max: '*', assigner: true },
        { name: 'inpatientNo', system: ID.inpatientNo, short: '住院号 | Inpatient number', max: '*', assigner: true },
        { name: 'chartNo', system: ID.chartNo, short: '病案号 | Chart number', max: '*', assigner: true },
      ],
      1,
    ),
    ...mustSupport('Patient.identifier.type', 'Patient.telecom', 'Patient.contact', 'Patient.managingOrganization'),
    { id: 'Patient.name', min: 1, mustSupport: true },
    { id: 'Patient.gender', min: 1, mustSupport: true },
    { id: 'Patient.birthDate', min: 1, mustSupport: true },
    { id: 'Patient.address', mustSupport: true },
    ...extensionSlices('Patient.address.extension', [
      { name: 'division', extension: 'division-code' },
      { name: 'township', extension: 'township' },
      { name: 'addressType', extension: 'address-type' },
    ]),
    ...mustSupport('Patient.address.state', 'Patient.address.city', 'Patient.address.district', 'Patient.address.line'),
    bound('Patient.maritalStatus', 'required', vs('cn-marital-status')),
    bound('Patient.contact.relationship', 'extensible', vs('cn-family-relation')),
  ],
};

export const PRACTITIONER: CompactProfile = {
  id: 'cn-practitioner',
  type: 'Practitioner',
  name: 'CNPractitioner',
  title: '中国医务人员 | CN Practitioner',
  description: '医务人员：工号或身份证号、姓名 | Health professional with a staff number or resident ID, and a name',
  elements: [
    ...identifierSlices('Practitioner.identifier', [{ name: 'staff', system: ID.staff, short: '医务人员工号 | Staff number' }, residentId], 1),
    { id: 'Practitioner.name', min: 1, mustSupport: true },
    ...mustSupport('Practitioner.gender', 'Practitioner.telecom', 'Practitioner.qualification'),
    ...extensionSlices('Practitioner.extension', [
      { name: 'ethnicity', extension: 'ethnicity' },
      { name: 'education', extension: 'education' },
    ]),
  ],
};

export const PRACTITIONER_ROLE: CompactProfile = {
  id: 'cn-practitioner-role',
  type: 'PractitionerRole',
  name: 'CNPractitionerRole',
  title: '中国医务人员岗位 | CN Practitioner role',
  description: '医务人员在机构（科室）中的岗位与专业 | A practitioner’s post and speciality at an organisation or department',
  elements: [
    { id: 'PractitionerRole.practitioner', min: 1, mustSupport: true },
    { id: 'PractitionerRole.organization', min: 1, mustSupport: true },
    ...mustSupport('PractitionerRole.code', 'PractitionerRole.specialty', 'PractitionerRole.location', 'PractitionerRole.telecom'),
  ],
};

