import type { Bundle, DiagnosticReport, ImagingStudy, Patient } from '@medplum/fhirtypes';

/** What the radiologist filters the worklist by. */
export interface WorklistFilter {
  patientName?: string;
  patientId?: string;
  /** yyyy-mm-dd */
  dateFrom?: string;
  dateTo?: string;
  modality?: string;
  unreportedOnly?: boolean;
}

export const MODALITIES = ['CT', 'MR', 'CR', 'DX', 'DR', 'MG', 'US', 'XA', 'RF', 'NM', 'PT', 'OT'] as const;

export const PAGE_SIZE = 50;

/** The ImagingStudy search for a filter: newest received first, with the patients. */
export function worklistSearch(filter: WorklistFilter): string {
  const q = new URLSearchParams();
  q.append('_include', 'ImagingStudy:subject');
  q.append('_sort', '-_lastUpdated');
  q.append('_count', String(PAGE_SIZE));
  const name = filter.patientName?.trim();
  if (name) q.append('subject:Patient.name', name);
  const id = filter.patientId?.trim();
  if (id) q.append('subject:Patient.identifier', id);
  if (filter.dateFrom) q.append('started', `ge${filter.dateFrom}`);
  if (filter.dateTo) q.append('started', `le${filter.dateTo}`);
  if (filter.modality) q.append('modality', filter.modality);
  return `ImagingStudy?${q.toString()}`;
}

/**
 * R4 has no DiagnosticReport search parameter on `imagingStudy`, so reported studies are found by a
 * second search: the final reports of the listed patients, matched back by their `imagingStudy` references.
 */
export function finalReportsSearch(patientRefs: string[]): string | undefined {
  const unique = [...new Set(patientRefs)];
  if (unique.length === 0) return undefined;
  const q = new URLSearchParams();
  q.append('subject', unique.join(','));
  q.append('status', 'final,amended,corrected');
  q.append('_elements', 'imagingStudy,status,subject');
  q.append('_count', '1000');
  return `DiagnosticReport?${q.toString()}`;
}

export interface WorklistRow {
  study: ImagingStudy;
  patient?: Patient;
  studyUid?: string;
  patientRef?: string;
  reported: boolean;
}

export function studyUidOf(study: ImagingStudy): string | undefined {
  const id = study.identifier?.find((i) => i.system === 'urn:dicom:uid' && i.value?.startsWith('urn:oid:'));
  return id?.value?.slice('urn:oid:'.length);
}

/** Rows in the order the server returned (newest received first), joined with their patients and report status. */
export function worklistRows(studies: Bundle, reports: Bundle | undefined, filter: WorklistFilter): WorklistRow[] {
  const patients = new Map<string, Patient>();
  const list: ImagingStudy[] = [];
  for (const entry of studies.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType === 'Patient' && r.id) patients.set(`Patient/${r.id}`, r);
    else if (r?.resourceType === 'ImagingStudy' && entry.search?.mode !== 'include') list.push(r);
  }
  const reportedStudies = new Set<string>();
  for (const entry of reports?.entry ?? []) {
    const report = entry.resource as DiagnosticReport | undefined;
    for (const ref of report?.imagingStudy ?? []) if (ref.reference) reportedStudies.add(ref.reference.replace(/^.*\/(ImagingStudy\/[^/]+)$/, '$1'));
  }
  const rows = list.map((study): WorklistRow => {
    const patientRef = study.subject?.reference;
    const patient = patientRef ? patients.get(patientRef) : undefined;
    return {
      study,
      ...(patient ? { patient } : {}),
      ...(patientRef ? { patientRef } : {}),
      ...(studyUidOf(study) ? { studyUid: studyUidOf(study) } : {}),
      reported: study.id !== undefined && reportedStudies.has(`ImagingStudy/${study.id}`),
    };
  });
  return filter.unreportedOnly ? rows.filter((r) => !r.reported) : rows;
}

/** A patient's name for the worklist: the Chinese (zh) name when there is one. */
export function patientDisplayName(patient: Patient | undefined): string {
  const names = patient?.name ?? [];
  const chosen = names.find((n) => /\p{Script=Han}/u.test(n.text ?? `${n.family ?? ''}${(n.given ?? []).join('')}`)) ?? names[0];
  if (!chosen) return '';
  if (chosen.text) return chosen.text;
  const han = /\p{Script=Han}/u.test(`${chosen.family ?? ''}`);
  return han ? `${chosen.family ?? ''}${(chosen.given ?? []).join('')}` : [...(chosen.given ?? []), chosen.family].filter(Boolean).join(' ');
}

export function patientIdentifier(patient: Patient | undefined): string {
  return patient?.identifier?.find((i) => i.value)?.value ?? '';
}

export function studyModalities(study: ImagingStudy): string[] {
  const set = new Set<string>();
  for (const m of study.modality ?? []) if (m.code) set.add(m.code);
  for (const s of study.series ?? []) if (s.modality?.code) set.add(s.modality.code);
  return [...set];
}
