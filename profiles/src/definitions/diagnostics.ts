import type { CompactProfile } from './compact.js';
import { extensionSlices, mustSupport } from './compact.js';
import { CS } from '../systems.js';

const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';
/** LOINC 11524-6: EKG study. */
const ECG = { system: CS.loinc, code: '11524-6' };

function observation(id: string, name: string, title: string, description: string, category: string, extra: CompactProfile['elements']): CompactProfile {
  return {
    id,
    type: 'Observation',
    name,
    title,
    description,
    elements: [
      { id: 'Observation.category', min: 1, mustSupport: true, patternCodeableConcept: { coding: [{ system: OBS_CATEGORY, code: category }] } },
      { id: 'Observation.subject', min: 1, mustSupport: true },
      { id: 'Observation.effective[x]', mustSupport: true },
      ...extra,
      ...mustSupport('Observation.encounter', 'Observation.performer', 'Observation.issued'),
    ],
  };
}

function report(id: string, name: string, title: string, description: string, section: string, extra: CompactProfile['elements']): CompactProfile {
  return {
    id,
    type: 'DiagnosticReport',
    name,
    title,
    description,
    elements: [
      { id: 'DiagnosticReport.category', min: 1, mustSupport: true, patternCodeableConcept: { coding: [{ system: V2_0074, code: section }] } },
      { id: 'DiagnosticReport.subject', min: 1, mustSupport: true },
      ...extensionSlices('DiagnosticReport.extension', [{ name: 'verifier', extension: 'verifier' }]),
      ...mustSupport('DiagnosticReport.encounter', 'DiagnosticReport.effective[x]', 'DiagnosticReport.issued', 'DiagnosticReport.performer', 'DiagnosticReport.resultsInterpreter', 'DiagnosticReport.conclusion', 'DiagnosticReport.basedOn'),
      ...extra,
    ],
  };
}

export const DIAGNOSTICS: readonly CompactProfile[] = [
  observation('cn-observation-lab', 'CNObservationLab', '中国检验结果 | CN Laboratory result', '检验项目：LOINC 或已映射到 LOINC 的本院代码 | Lab test coded with LOINC, or a local code mapped to it', 'laboratory', [
    { id: 'Observation.code', mustSupport: true, short: 'LOINC，或本院代码加 LOINC 映射 | LOINC, or a local code with its LOINC mapping' },
    ...mustSupport('Observation.value[x]', 'Observation.interpretation', 'Observation.referenceRange', 'Observation.specimen'),
  ]),
  observation('cn-observation-vital-signs', 'CNObservationVitalSigns', '中国生命体征 | CN Vital signs', '体温、脉搏、呼吸、血压、身高、体重等 | Temperature, pulse, respiration, blood pressure, height, weight', 'vital-signs', [
    { id: 'Observation.code', binding: { strength: 'extensible', valueSet: 'http://hl7.org/fhir/ValueSet/observation-vitalsignresult' } },
    ...mustSupport('Observation.value[x]', 'Observation.component'),
  ]),
  observation('cn-observation-ecg', 'CNObservationEcg', '中国心电图 | CN ECG', '心电图检查及其测量与波形 | ECG study with its measurements and waveform', 'procedure', [
    { id: 'Observation.code', patternCodeableConcept: { coding: [ECG] } },
    ...mustSupport('Observation.component', 'Observation.device', 'Observation.derivedFrom'),
  ]),
  report('cn-diagnostic-report-lab', 'CNDiagnosticReportLab', '中国检验报告 | CN Laboratory report', '检验报告，含审核者 | Laboratory report with its verifier', 'LAB', [...mustSupport('DiagnosticReport.result', 'DiagnosticReport.specimen')]),
  report('cn-diagnostic-report-imaging', 'CNDiagnosticReportImaging', '中国影像报告 | CN Imaging report', '检查报告：所见与印象 | Imaging report: findings and impression', 'RAD', [...mustSupport('DiagnosticReport.imagingStudy', 'DiagnosticReport.presentedForm')]),
  report('cn-diagnostic-report-ecg', 'CNDiagnosticReportEcg', '中国心电图报告 | CN ECG report', '心电图报告 | ECG report', 'EC', [...mustSupport('DiagnosticReport.result', 'DiagnosticReport.presentedForm')]),
  {
    id: 'cn-imaging-study',
    type: 'ImagingStudy',
    name: 'CNImagingStudy',
    title: '中国影像检查 | CN Imaging study',
    description: '影像检查：Study Instance UID 与检查号 | Imaging study with its Study Instance UID and accession number',
    elements: [
      { id: 'ImagingStudy.identifier', min: 1, mustSupport: true },
      ...mustSupport('ImagingStudy.started', 'ImagingStudy.modality', 'ImagingStudy.basedOn', 'ImagingStudy.series', 'ImagingStudy.endpoint', 'ImagingStudy.encounter'),
    ],
  },
  {
    id: 'cn-service-request',
    type: 'ServiceRequest',
    name: 'CNServiceRequest',
    title: '中国检验检查申请与转诊 | CN Service request',
    description: '检验申请、检查申请与转诊单 | Lab and exam orders and referrals',
    elements: [
      { id: 'ServiceRequest.code', min: 1, mustSupport: true },
      ...mustSupport('ServiceRequest.identifier', 'ServiceRequest.category', 'ServiceRequest.authoredOn', 'ServiceRequest.requester', 'ServiceRequest.performer', 'ServiceRequest.encounter', 'ServiceRequest.reasonCode', 'ServiceRequest.specimen'),
    ],
  },
  {
    id: 'cn-task',
    type: 'Task',
    name: 'CNTask',
    title: '中国工作任务 | CN Task',
    description: '申请、转诊与预约的执行状态 | Fulfilment of orders, referrals and appointments',
    elements: [...mustSupport('Task.identifier', 'Task.basedOn', 'Task.focus', 'Task.for', 'Task.authoredOn', 'Task.requester', 'Task.owner', 'Task.businessStatus')],
  },
  {
    id: 'cn-specimen',
    type: 'Specimen',
    name: 'CNSpecimen',
    title: '中国标本 | CN Specimen',
    description: '标本条码必填 | The specimen barcode is mandatory',
    elements: [
      { id: 'Specimen.accessionIdentifier', min: 1, mustSupport: true, short: '标本条码 | Specimen barcode' },
      { id: 'Specimen.accessionIdentifier.value', min: 1 },
      ...mustSupport('Specimen.type', 'Specimen.subject', 'Specimen.collection', 'Specimen.request', 'Specimen.receivedTime'),
    ],
  },
];
