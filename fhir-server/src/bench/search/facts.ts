/**
 * What the queries search for, taken from a sample of the loaded patients: their identifiers,
 * names and dates as the generator made them, and the id the server gave each Patient. Kept with
 * the cached dataset, so a run on it asks for records that are there.
 */
import type { Bundle, Condition, DiagnosticReport, Encounter, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { CS, ID } from '../../seed/systems.js';

export interface PatientFacts {
  /** The server's id of the Patient. */
  id: string;
  residentId: string;
  phone: string;
  family: string;
  given: string;
  birthDate: string;
  gender: string;
  encounters: { identifier: { system: string; value: string }; start: string }[];
  /** ICD-10 national clinical edition codes of the patient's Conditions. */
  conditions: { code: string; active: boolean }[];
  observations: { code: string; value: number; unit: string; date: string }[];
  reports: { code: string; date: string }[];
}

/** Patients sampled evenly across the dataset: enough to vary every query's parameters. */
export const SAMPLE_PATIENTS = 200;

export function isSampled(index: number, patients: number): boolean {
  return index % Math.max(1, Math.floor(patients / SAMPLE_PATIENTS)) === 0;
}

/** The facts of one patient bundle, whose Patient the server stored as `Patient/{id}`. */
export function patientFacts(bundle: Bundle, id: string): PatientFacts {
  const resources = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  const ofType = <T extends Resource>(type: T['resourceType']) => resources.filter((r): r is T => r.resourceType === type);
  const [patient] = ofType<Patient>('Patient');
  const name = patient?.name?.[0];
  return {
    id,
    residentId: patient?.identifier?.find((i) => i.system === ID.residentId)?.value ?? '',
    phone: patient?.telecom?.[0]?.value ?? '',
    family: name?.family ?? '',
    given: name?.given?.[0] ?? '',
    birthDate: patient?.birthDate ?? '',
    gender: patient?.gender ?? '',
    encounters: ofType<Encounter>('Encounter').map((e) => ({
      identifier: { system: e.identifier?.[0]?.system ?? '', value: e.identifier?.[0]?.value ?? '' },
      start: e.period?.start ?? '',
    })),
    conditions: ofType<Condition>('Condition').map((c) => ({
      code: c.code?.coding?.find((x) => x.system === CS.icd10Cn)?.code ?? '',
      active: c.clinicalStatus?.coding?.[0]?.code === 'active',
    })),
    observations: ofType<Observation>('Observation').map((o) => ({
      code: o.code?.coding?.[0]?.code ?? '',
      value: o.valueQuantity?.value ?? 0,
      unit: o.valueQuantity?.code ?? '',
      date: o.effectiveDateTime ?? '',
    })),
    reports: ofType<DiagnosticReport>('DiagnosticReport').map((r) => ({ code: r.code?.coding?.[0]?.code ?? '', date: r.effectiveDateTime ?? '' })),
  };
}
