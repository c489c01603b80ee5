/**
 * A FHIR DiagnosticReport as a DICOM Basic Text SR (PS3.3 A.35.1), the object a clinic's PACS
 * files beside the images it reported on: Patient, General Study (the imaging study's UID and
 * accession), SR Document Series/General/Content modules; content is a "Diagnostic imaging report"
 * container (LOINC 18748-4) holding the findings and the impression as TEXT items (DCM 121071,
 * 121073). Text is written in UTF-8 (`ISO_IR 192`). The result is a Part 10 file, to store
 * (`storeInstance`) or send (`sendInstances`).
 */
import { createHash } from 'node:crypto';
import type { PersonName } from '../charset/index.js';
import type { FhirJson } from '../ports.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import dimse from './library.js';
import { fileMetaHeader } from '../dicom/part10-meta.js';
import type { OutgoingInstance } from './send.js';

export const BASIC_TEXT_SR = '1.2.840.10008.5.1.4.1.1.88.11';

export interface ReportStudy {
  studyInstanceUid: string;
  accessionNumber?: string;
}

const code = (value: string, scheme: string, meaning: string): Record<string, string> => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning });

/** A stable UID for one version of one report (and its series), in the 2.25 form. */
function derivedUid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

function dicomDateTime(value: unknown): { date: string; time: string } {
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/.exec(value) : null;
  if (!m) return { date: '', time: '' };
  return { date: `${m[1]}${m[2]}${m[3]}`, time: m[4] ? `${m[4]}${m[5]}${m[6]}` : '' };
}

function personName(names: unknown): PersonName | null {
  const name: PersonName = {};
  for (const n of Array.isArray(names) ? (names as { family?: string; given?: string[]; text?: string }[]) : []) {
    const text = n.family || n.given?.length ? `${n.family ?? ''}^${(n.given ?? []).join(' ')}`.replace(/\^$/, '') : (n.text ?? '');
    if (!text) continue;
    if (/[\u3400-\u9fff]/u.test(text)) name.Ideographic ??= text;
    else name.Alphabetic ??= text;
  }
  return name.Alphabetic || name.Ideographic ? name : null;
}

/** The report's findings: its text/plain presented form, else its narrative without markup. */
function findings(report: FhirJson): string {
  const forms = Array.isArray(report.presentedForm) ? (report.presentedForm as { contentType?: string; data?: string }[]) : [];
  const plain = forms.find((f) => f.contentType?.startsWith('text/plain') && f.data);
  if (plain?.data) return Buffer.from(plain.data, 'base64').toString('utf8');
  const div = (report.text as { div?: string } | undefined)?.div ?? '';
  return div.replace(/<br\s*\/?>/gi, '\n').replace(/<[^>]+>/g, '').trim();
}

const display = (reference: unknown): string | undefined => (Array.isArray(reference) ? (reference[0] as { display?: string } | undefined)?.display : undefined);

export function reportToBasicTextSr(report: FhirJson, patient: FhirJson, study: ReportStudy): OutgoingInstance {
  const version = String((report.meta as { versionId?: string } | undefined)?.versionId ?? '1');
  const sopInstanceUid = derivedUid('DiagnosticReport', String(report.id), version);
  const issued = dicomDateTime(report.issued ?? report.effectiveDateTime);
  const interpreter = display(report.resultsInterpreter);
  const verified = report.status === 'final' && interpreter !== undefined;
  const patientIds = Array.isArray(patient.identifier) ? (patient.identifier as { value?: string }[]) : [];
  const items = [
    ['121071', 'Finding', findings(report)],
    ['121073', 'Impression', typeof report.conclusion === 'string' ? report.conclusion : ''],
  ].filter(([, , text]) => text);
  const dataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    InstanceCreationDate: issued.date,
    InstanceCreationTime: issued.time,
    SOPClassUID: BASIC_TEXT_SR,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: '',
    StudyTime: '',
    AccessionNumber: study.accessionNumber ?? '',
    Modality: 'SR',
    Manufacturer: 'Qiao',
    ReferringPhysicianName: null,
    PatientName: personName(patient.name),
    PatientID: patientIds[0]?.value ?? '',
    PatientBirthDate: typeof patient.birthDate === 'string' ? patient.birthDate.replace(/-/g, '') : '',
    PatientSex: { male: 'M', female: 'F', other: 'O' }[String(patient.gender)] ?? '',
    StudyInstanceUID: study.studyInstanceUid,
    SeriesInstanceUID: derivedUid('DiagnosticReport-series', study.studyInstanceUid),
    StudyID: '',
    SeriesNumber: 999,
    InstanceNumber: Number(version) || 1,
    ReferencedPerformedProcedureStepSequence: [],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [code('18748-4', 'LN', 'Diagnostic imaging report')],
    ContinuityOfContent: 'SEPARATE',
    ContentDate: issued.date,
    ContentTime: issued.time,
    CompletionFlag: report.status === 'final' || report.status === 'amended' || report.status === 'corrected' ? 'COMPLETE' : 'PARTIAL',
    VerificationFlag: verified ? 'VERIFIED' : 'UNVERIFIED',
    ...(verified
      ? {
          VerifyingObserverSequence: [
            {
              VerifyingObserverName: personName([{ text: interpreter }]),
              VerifyingObserverIdentificationCodeSequence: [],
              VerifyingOrganization: display(report.performer) ?? '',
              VerificationDateTime: `${issued.date}${issued.time}`,
            },
          ],
        }
      : {}),
    PerformedProcedureCodeSequence: [],
    ContentSequence: items.map(([value, meaning, text]) => ({
      RelationshipType: 'CONTAINS',
      ValueType: 'TEXT',
      ConceptNameCodeSequence: [code(value as string, 'DCM', meaning as string)],
      TextValue: text,
    })),
  };
  const body = new dimse.Dataset(dataset, EXPLICIT_LE).getDenaturalizedDataset();
  const header = fileMetaHeader({ sopClassUid: BASIC_TEXT_SR, sopInstanceUid, transferSyntaxUid: EXPLICIT_LE, sourceAeTitle: 'QIAO' });
  return { sopInstanceUid, sopClassUid: BASIC_TEXT_SR, part10: Buffer.concat([header, body]) };
}
