import type { CompactProfile } from './compact.js';
import { bound, extensionSlices, identifierSlices, mustSupport } from './compact.js';
import { ID, vs } from '../systems.js';

const R4 = 'http://hl7.org/fhir/StructureDefinition/';

export const ENCOUNTER: CompactProfile = {
  id: 'cn-encounter',
  type: 'Encounter',
  name: 'CNEncounter',
  title: '中国就诊 | CN Encounter',
  description: '门诊、急诊、住院、体检就诊；门诊号/住院号由签发机构限定；科室 | Outpatient, emergency, inpatient or check-up visit; visit numbers scoped to their issuer; department',
  elements: [
    ...identifierSlices('Encounter.identifier', [
      { name: 'outpatientNo', system: ID.outpatientNo, short: '门（急）诊号 | Outpatient number', assigner: true },
      { name: 'inpatientNo', system: ID.inpatientNo, short: '住院号 | Inpatient number', assigner: true },
    ]),
    { id: 'Encounter.subject', min: 1, mustSupport: true, type: [{ code: 'Reference', targetProfile: [`${R4}Patient`] }] },
    bound('Encounter.type', 'extensible', vs('cn-encounter-type')),
    bound('Encounter.hospitalization.dischargeDisposition', 'extensible', vs('cn-discharge-disposition')),
    ...mustSupport('Encounter.class', 'Encounter.period', 'Encounter.participant', 'Encounter.serviceType', 'Encounter.serviceProvider', 'Encounter.location', 'Encounter.diagnosis', 'Encounter.hospitalization'),
  ],
};

export const CONDITION: CompactProfile = {
  id: 'cn-condition',
  type: 'Condition',
  name: 'CNCondition',
  title: '中国诊断 | CN Condition',
  description: '诊断：ICD-10 国家临床版 2.0（如 D64.900）或 GB/T 15657 中医病证 | Diagnosis coded with ICD-10 national clinical edition 2.0 (e.g. D64.900) or GB/T 15657 TCM diseases and syndromes',
  elements: [
    bound('Condition.code', 'extensible', vs('cn-diagnosis'), { min: 1 }),
    ...mustSupport('Condition.category', 'Condition.clinicalStatus', 'Condition.verificationStatus', 'Condition.encounter', 'Condition.onset[x]', 'Condition.recordedDate', 'Condition.recorder'),
  ],
};

export const PROCEDURE: CompactProfile = {
  id: 'cn-procedure',
  type: 'Procedure',
  name: 'CNProcedure',
  title: '中国手术操作 | CN Procedure',
  description: '手术及操作：ICD-9-CM-3 编码 | Operation or procedure coded with ICD-9-CM-3',
  elements: [
    bound('Procedure.code', 'extensible', vs('cn-icd9cm3'), { min: 1 }),
    ...mustSupport('Procedure.performed[x]', 'Procedure.performer', 'Procedure.encounter', 'Procedure.bodySite', 'Procedure.outcome'),
  ],
};

export const MEDICATION_REQUEST: CompactProfile = {
  id: 'cn-medication-request',
  type: 'MedicationRequest',
  name: 'CNMedicationRequest',
  title: '中国处方 | CN Medication request',
  description: '西药、中成药与中药饮片处方；处方类别必填 | Western, Chinese patent and TCM decoction prescriptions; the category is mandatory',
  elements: [
    ...extensionSlices('MedicationRequest.extension', [{ name: 'prescriptionType', extension: 'prescription-type', min: 1 }]),
    ...mustSupport('MedicationRequest.identifier', 'MedicationRequest.authoredOn', 'MedicationRequest.requester', 'MedicationRequest.encounter', 'MedicationRequest.dosageInstruction', 'MedicationRequest.dispenseRequest', 'MedicationRequest.note'),
  ],
};

export const ALLERGY: CompactProfile = {
  id: 'cn-allergy-intolerance',
  type: 'AllergyIntolerance',
  name: 'CNAllergyIntolerance',
  title: '中国过敏史 | CN Allergy',
  description: '过敏原与反应 | Allergen and reactions',
  elements: [
    { id: 'AllergyIntolerance.code', min: 1, mustSupport: true },
    ...mustSupport('AllergyIntolerance.clinicalStatus', 'AllergyIntolerance.category', 'AllergyIntolerance.reaction', 'AllergyIntolerance.recordedDate', 'AllergyIntolerance.recorder'),
  ],
};
