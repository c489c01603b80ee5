/**
 * The DiagnosticReport the panel writes, shaped for the CN imaging report profile
 * (cn-diagnostic-report-imaging): category RAD, findings (检查所见) as a plain-text presentedForm,
 * impression (诊断意见) as `conclusion`. R4 DiagnosticReport has no interpretation element and the
 * CN package no critical-value extension, so a critical finding (危急值) is the
 * v3-ObservationInterpretation code AA in `conclusionCode` — searchable as
 * `DiagnosticReport?conclusion=http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation|AA`.
 */
import type { CodeableConcept, DiagnosticReport, ImagingStudy, Patient, Reference } from '@medplum/fhirtypes';

export const CN_IMAGING_REPORT_PROFILE = 'https://qiao.health/fhir/StructureDefinition/cn-diagnostic-report-imaging';
export const CRITICAL_CODING = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'AA', display: 'Critical abnormal' } as const;

const LOINC = 'http://loinc.org';
const CATEGORY: CodeableConcept = {
  coding: [
    { system: LOINC, code: 'LP29684-5', display: 'Radiology' },
    { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD', display: 'Radiology' },
  ],
  text: '影像 | Imaging',
};

/** LOINC report codes by DICOM modality; any other modality gets the generic imaging report code. */
const REPORT_CODE_BY_MODALITY: Record<string, { code: string; display: string }> = {
  CT: { code: '18747-6', display: 'CT Study report' },
  MR: { code: '18755-9', display: 'MR Study report' },
  US: { code: '18760-9', display: 'US Study report' },
};
const GENERIC_REPORT_CODE = { code: '18748-4', display: 'Diagnostic imaging study' };

export interface ReportInput {
  status: 'preliminary' | 'final';
  imagingStudy: ImagingStudy;
  patient?: Patient;
  findings: string;
  impression: string;
  critical: boolean;
  /** The reading physician's FHIR user (`Practitioner/…`), when someone is logged in. */
  interpreter?: string;
  /** Language of the text the physician wrote. */
  lang: string;
  now: Date;
}

/** The study's procedure code when it has one, else the report code of its (first) modality. */
export function reportCode(study: ImagingStudy): CodeableConcept {
  const procedure = study.procedureCode?.[0];
  if (procedure?.coding?.length) return { ...procedure, ...(study.description && !procedure.text ? { text: study.description } : {}) };
  const modality = study.modality?.[0]?.code ?? study.series?.[0]?.modality?.code ?? '';
  const loinc = REPORT_CODE_BY_MODALITY[modality] ?? GENERIC_REPORT_CODE;
  return { coding: [{ system: LOINC, ...loinc }], ...(study.description ? { text: study.description } : {}) };
}

function toBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(data: string): string {
  const binary = atob(data);
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function patientDisplay(patient: Patient | undefined): string | undefined {
  const name = patient?.name?.[0];
  return name?.text ?? ([name?.family, ...(name?.given ?? [])].filter(Boolean).join('') || undefined);
}

export function buildReport(input: ReportInput): DiagnosticReport {
  const study = input.imagingStudy;
  const subject = study.subject as Reference<Patient>;
  const display = patientDisplay(input.patient);
  const orders = (study.basedOn ?? []).filter((r) => r.reference?.startsWith('ServiceRequest/'));
  const local = new Date(input.now.getTime() - input.now.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
  const offset = -input.now.getTimezoneOffset();
  const zone = `${offset >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
  return {
    resourceType: 'DiagnosticReport',
    meta: { profile: [CN_IMAGING_REPORT_PROFILE] },
    status: input.status,
    category: [CATEGORY],
    code: reportCode(study),
    subject: { reference: subject.reference, ...(display ? { display } : {}) },
    ...(orders.length ? { basedOn: orders.map((r) => ({ reference: r.reference })) } : {}),
    ...(study.started ? { effectiveDateTime: study.started } : {}),
    issued: `${local}${zone}`,
    ...(input.interpreter ? { resultsInterpreter: [{ reference: input.interpreter }] } : {}),
    imagingStudy: [{ reference: `ImagingStudy/${study.id}` }],
    ...(input.findings.trim()
      ? { presentedForm: [{ contentType: 'text/plain; charset=utf-8', language: input.lang, title: '检查所见 | Findings', data: toBase64(input.findings) }] }
      : {}),
    ...(input.impression.trim() ? { conclusion: input.impression } : {}),
    ...(input.critical ? { conclusionCode: [{ coding: [{ ...CRITICAL_CODING }], text: '危急值 | Critical finding' }] } : {}),
  };
}

/** The findings text of a report: its plain-text presentedForm. */
export function findingsOf(report: DiagnosticReport): string {
  const form = report.presentedForm?.find((f) => f.contentType?.startsWith('text/plain') && f.data);
  return form?.data ? fromBase64(form.data) : '';
}

export function isCritical(report: DiagnosticReport): boolean {
  return (report.conclusionCode ?? []).some((c) => c.coding?.some((x) => x.system === CRITICAL_CODING.system && x.code === CRITICAL_CODING.code));
}

/** Signed reports (final and its later states) are never overwritten by the panel. */
export function isSigned(report: DiagnosticReport | undefined): boolean {
  return report?.status === 'final' || report?.status === 'amended' || report?.status === 'corrected' || report?.status === 'appended';
}

/** Whether a report is about this study (references may be relative or absolute). */
export function isAbout(report: DiagnosticReport, studyId: string): boolean {
  return (report.imagingStudy ?? []).some((r) => r.reference === `ImagingStudy/${studyId}` || r.reference?.endsWith(`/ImagingStudy/${studyId}`));
}
