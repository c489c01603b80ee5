/** Codes and URLs of the ECG centre workflow (心电诊断中心); docs/ecg.md renders them. */
export const ECG_TASK_SYSTEM = 'https://qiao.health/fhir/CodeSystem/ecg-workflow';
export const ECG_TASK_CODE = 'ecg-reading';
export const ECG_STATUS_SYSTEM = 'https://qiao.health/fhir/CodeSystem/ecg-workflow-status';
/** The ECG diagnostic statements (terminology/data/local/ecg-diagnosis.json). */
export const ECG_DIAGNOSIS_SYSTEM = 'https://qiao.health/fhir/CodeSystem/ecg-diagnosis';

const SD = 'https://qiao.health/fhir/StructureDefinition';
/** On the Task, one per step taken: `state` (code), `time` (dateTime), `actor` (Reference), `reason` (string). */
export const EXT_STEP = `${SD}/ecg-workflow-step`;
/** On a DiagnosticReport's conclusionCode: `primary` or `secondary` statement. */
export const EXT_STATEMENT_RANK = `${SD}/ecg-statement-rank`;
/** On the original file's attachment: MD5 (the upload guideline's check) and SM3 (GB/T 32905), lower-case hex. */
export const EXT_MD5 = `${SD}/attachment-md5`;
export const EXT_SM3 = `${SD}/attachment-sm3`;
/** On the report (set by the statements rule) and on its Task (when sent): a critical statement. */
export const EXT_CRITICAL = `${SD}/ecg-critical`;

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const MDC = 'urn:iso:std:iso:11073:10101';
export const EKG_STUDY = { system: LOINC, code: '11524-6', display: 'EKG study' };
export const ECG_REPORT_CATEGORY = { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'EC', display: 'Electrocardiac (e.g., EKG, EEC, Holter)' };
export const OBSERVATION_CATEGORY = { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'procedure', display: 'Procedure' };
