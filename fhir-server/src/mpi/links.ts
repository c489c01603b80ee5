import type { Patient, PatientLink } from '@medplum/fhirtypes';

export type LinkType = PatientLink['type'];

/** The id a `Patient/{id}` reference (or `Patient/{id}/_history/{v}`) names. */
export function patientIdOf(reference: string | undefined): string | undefined {
  return /^Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(reference ?? '')?.[1];
}

/** The patient this record was merged into, if it was. */
export function replacedBy(patient: Patient): string | undefined {
  for (const link of patient.link ?? []) if (link.type === 'replaced-by') return patientIdOf(link.other?.reference);
  return undefined;
}

export function isMergedAway(patient: Patient): boolean {
  return replacedBy(patient) !== undefined;
}

export function hasLink(patient: Patient, type: LinkType, otherId: string): boolean {
  return (patient.link ?? []).some((l) => l.type === type && patientIdOf(l.other?.reference) === otherId);
}

export function withLink(patient: Patient, type: LinkType, otherId: string): Patient {
  if (hasLink(patient, type, otherId)) return patient;
  return { ...patient, link: [...(patient.link ?? []), { other: { reference: `Patient/${otherId}` }, type }] };
}

export function withoutLink(patient: Patient, type: LinkType, otherId: string): Patient {
  const link = (patient.link ?? []).filter((l) => !(l.type === type && patientIdOf(l.other?.reference) === otherId));
  const { link: _old, ...rest } = patient;
  return link.length ? { ...rest, link } : rest;
}
