import type { Meta } from '@medplum/fhirtypes';

/** Code systems, identifier systems and extension URLs that the generated resources use. */

/** National identifier systems (the 2.16.156.10011.1 arc of the health information OIDs). */
export const ID = {
  residentId: 'urn:oid:2.16.156.10011.1.3',
  healthRecord: 'urn:oid:2.16.156.10011.1.2',
  insuranceCard: 'urn:oid:2.16.156.10011.1.15',
  healthCard: 'urn:oid:2.16.156.10011.1.19',
  outpatientNo: 'urn:oid:2.16.156.10011.1.11',
  inpatientNo: 'urn:oid:2.16.156.10011.1.12',
  organization: 'urn:oid:2.16.156.10011.1.5',
  staff: 'urn:oid:2.16.156.10011.1.4',
  /** For records with no business identifier of their own: the value is the entry's urn:uuid. */
  uri: 'urn:ietf:rfc:3986',
} as const;

export const CS = {
  ethnicity: 'urn:oid:2.16.156.10011.2.3.3.3',
  icd10Cn: 'urn:oid:2.16.156.10011.2.3.3.11',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  maritalStatus: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  /** GB/T 2261.2. */
  maritalStatusGb: 'urn:oid:2.16.156.10011.2.3.3.5',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  diagnosticServiceSection: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  diagnosisRole: 'http://terminology.hl7.org/CodeSystem/diagnosis-role',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  /** R4 binds Practitioner.qualification.code to this system, whose URL carries the v2 version. */
  degreeLicense: 'http://terminology.hl7.org/CodeSystem/v2-0360|2.7',
} as const;

/** The CN profiles (package qiao.fhir.cn) the generated resources declare and satisfy. */
export const PROFILE = {
  patient: 'https://qiao.health/fhir/StructureDefinition/cn-patient',
  practitioner: 'https://qiao.health/fhir/StructureDefinition/cn-practitioner',
  organization: 'https://qiao.health/fhir/StructureDefinition/cn-organization',
} as const;

export const EXT = {
  /** GB/T 2260 six-digit division code of an Address (valueCode). */
  divisionCode: 'https://qiao.health/fhir/StructureDefinition/division-code',
  /** GB/T 3304 ethnicity of a Patient (valueCoding). */
  ethnicity: 'https://qiao.health/fhir/StructureDefinition/ethnicity',
} as const;

/**
 * Every generated resource carries this security label (HL7's "test health data"), so synthetic
 * records can be told apart from real ones and purged with one search. A fresh object each time:
 * a server that stamps meta.versionId in place must not change every resource at once.
 */
export function syntheticMeta(): Meta {
  return { security: [{ system: CS.actReason, code: 'HTEST', display: 'test health data' }] };
}
