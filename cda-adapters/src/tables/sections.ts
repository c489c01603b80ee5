/**
 * Sections of the fully mapped document types. `code` is the LOINC code the standard gives the
 * section; sections without one (检验章节, 会诊意见章节, 转诊记录章节) are recognised by their
 * `displayName`. `requiredEntries` are the data elements a section must carry (validation);
 * `accepts` the entry rules and data elements the generator places in it from stored data.
 * LOINC section codes are those WS/T 500 documents commonly carry; not every one was checked
 * against the standard text.
 */
export interface SectionDef {
  key: string;
  code?: string;
  displayName: string;
  /** Data elements of which at least one entry must be present (validation). */
  requiredEntries: string[];
  accepts?: string[];
  /**
   * The FHIR diagnosis role (http://terminology.hl7.org/CodeSystem/diagnosis-role, in a
   * Condition's category) of the diagnoses the generator places here before any other section.
   */
  role?: string;
}

const DIAGNOSES = ['diagnosis-code', 'diagnosis-name', 'diagnosis-code-organizer', 'diagnosis-name-organizer'];

export const SECTIONS: Readonly<Record<string, SectionDef>> = {
  chiefComplaint: { key: 'chiefComplaint', code: '10154-3', displayName: '主诉章节', requiredEntries: ['DE04.01.119.00'], accepts: ['DE04.01.119.00'] },
  presentIllness: { key: 'presentIllness', code: '10164-2', displayName: '现病史章节', requiredEntries: ['DE02.10.071.00'], accepts: ['DE02.10.071.00'] },
  pastHistory: { key: 'pastHistory', code: '11348-0', displayName: '既往史章节', requiredEntries: [], accepts: ['DE02.10.099.00'] },
  allergy: { key: 'allergy', code: '48765-2', displayName: '过敏史章节', requiredEntries: [], accepts: ['allergy'] },
  physicalExam: { key: 'physicalExam', code: '29545-1', displayName: '体格检查章节', requiredEntries: [], accepts: ['DE04.10.258.00'] },
  diagnosis: { key: 'diagnosis', code: '29548-5', displayName: '诊断记录章节', requiredEntries: ['DE05.01.024.00'], accepts: DIAGNOSES },
  admissionDiagnosis: { key: 'admissionDiagnosis', code: '46241-6', displayName: '入院诊断章节', requiredEntries: ['DE05.01.024.00'], accepts: DIAGNOSES, role: 'AD' },
  dischargeDiagnosis: { key: 'dischargeDiagnosis', code: '11535-2', displayName: '出院诊断章节', requiredEntries: ['DE05.01.024.00'], accepts: DIAGNOSES, role: 'DD' },
  treatmentPlan: { key: 'treatmentPlan', code: '18776-5', displayName: '治疗计划章节', requiredEntries: [], accepts: ['DE06.00.218.00'] },
  medications: { key: 'medications', code: '10160-0', displayName: '用药章节', requiredEntries: [], accepts: ['medication'] },
  dischargeMedications: { key: 'dischargeMedications', code: '10183-2', displayName: '出院医嘱章节', requiredEntries: [], accepts: ['medication', 'DE06.00.287.00'] },
  procedures: { key: 'procedures', code: '47519-4', displayName: '手术操作章节', requiredEntries: [], accepts: ['procedure'] },
  hospitalCourse: { key: 'hospitalCourse', code: '8648-8', displayName: '住院过程章节', requiredEntries: ['DE06.00.296.00'], accepts: ['DE06.00.296.00'] },
  labResults: { key: 'labResults', code: '30954-2', displayName: '实验室检验章节', requiredEntries: [], accepts: ['lab-item'] },
  examination: { key: 'examination', code: '30954-2', displayName: '检查章节', requiredEntries: ['DE04.30.019.00'], accepts: ['exam-item', 'DE04.30.018.00', 'media'] },
  laboratory: { key: 'laboratory', displayName: '检验章节', requiredEntries: ['DE04.30.019.00'], accepts: ['lab-item', 'DE04.30.018.00'] },
  vitalSigns: { key: 'vitalSigns', code: '8716-3', displayName: '生命体征章节', requiredEntries: [], accepts: ['DE04.10.174.00', 'DE04.10.176.00', 'DE04.10.188.00', 'DE04.10.167.00', 'DE04.50.102.00'] },
  consultation: { key: 'consultation', displayName: '会诊意见章节', requiredEntries: ['DE06.00.179.00'], accepts: ['DE06.00.179.00'] },
  referral: { key: 'referral', displayName: '转诊记录章节', requiredEntries: ['DE01.00.018.00'], accepts: ['DE01.00.018.00', 'DE08.10.013.00'] },
};

/** The document types mapped section by section, with their required sections. */
export interface DocumentProfile {
  code: string;
  sections: { key: string; required: boolean }[];
  /** A DiagnosticReport summarises the document (检查/检验报告). */
  report?: 'LAB' | 'RAD';
}

const req = (...keys: string[]) => keys.map((key) => ({ key, required: true }));
const opt = (...keys: string[]) => keys.map((key) => ({ key, required: false }));

export const PROFILES: readonly DocumentProfile[] = [
  { code: 'C0001', sections: [...req('diagnosis'), ...opt('pastHistory', 'allergy', 'medications', 'procedures')] },
  { code: 'C0002', sections: [...req('chiefComplaint', 'presentIllness', 'diagnosis'), ...opt('pastHistory', 'allergy', 'physicalExam', 'treatmentPlan', 'medications')] },
  { code: 'C0006', sections: [...req('examination'), ...opt('diagnosis')], report: 'RAD' },
  { code: 'C0007', sections: [...req('laboratory'), ...opt('diagnosis')], report: 'LAB' },
  { code: 'C0032', sections: [...req('dischargeDiagnosis'), ...opt('admissionDiagnosis', 'procedures', 'allergy')] },
  { code: 'C0034', sections: [...req('chiefComplaint', 'presentIllness', 'admissionDiagnosis'), ...opt('pastHistory', 'allergy', 'physicalExam')] },
  { code: 'C0045', sections: [...req('diagnosis', 'consultation'), ...opt('treatmentPlan')] },
  { code: 'C0049', sections: [...req('admissionDiagnosis', 'hospitalCourse', 'dischargeDiagnosis'), ...opt('dischargeMedications')] },
  { code: 'C0053', sections: [...req('admissionDiagnosis', 'hospitalCourse', 'dischargeDiagnosis'), ...opt('labResults', 'procedures', 'dischargeMedications')] },
  { code: 'EHR-SD-12', sections: [...req('vitalSigns'), ...opt('diagnosis', 'medications')] },
  { code: 'EHR-SD-13', sections: [...req('vitalSigns'), ...opt('labResults', 'diagnosis', 'medications')] },
  { code: 'EHR-SD-17', sections: [...req('diagnosis'), ...opt('medications', 'labResults')] },
  { code: 'EHR-SD-18', sections: [...req('admissionDiagnosis', 'dischargeDiagnosis'), ...opt('procedures', 'medications')] },
  { code: 'EHR-SD-20', sections: [...req('referral'), ...opt('diagnosis')] },
];

export function profileOf(code: string | undefined): DocumentProfile | undefined {
  return PROFILES.find((p) => p.code === code);
}

/** The section definition a CDA section matches: by LOINC code, else by display name or title. */
export function sectionDef(code: string | undefined, displayName: string | undefined, title: string | undefined): SectionDef | undefined {
  const all = Object.values(SECTIONS);
  return (
    all.find((s) => s.code !== undefined && s.code === code && (s.displayName === displayName || s.displayName === title)) ??
    all.find((s) => s.code !== undefined && s.code === code) ??
    all.find((s) => s.displayName === displayName || s.displayName === title)
  );
}
