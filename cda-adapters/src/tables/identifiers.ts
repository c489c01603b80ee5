/**
 * Identifier roots of the national OID tree (2.16.156.10011.1.*) that shared documents use, and
 * what each identifies. The FHIR side writes them as `urn:oid:` systems.
 */
export const OID = {
  documentId: '2.16.156.10011.1.1',
  healthRecord: '2.16.156.10011.1.2',
  residentId: '2.16.156.10011.1.3',
  staff: '2.16.156.10011.1.4',
  organization: '2.16.156.10011.1.5',
  outpatientNo: '2.16.156.10011.1.11',
  inpatientNo: '2.16.156.10011.1.12',
  bed: '2.16.156.10011.1.22',
  room: '2.16.156.10011.1.21',
  ward: '2.16.156.10011.1.27',
  department: '2.16.156.10011.1.26',
  dataElements: '2.16.156.10011.2.2.1',
  gender: '2.16.156.10011.2.3.3.4',
  maritalStatus: '2.16.156.10011.2.3.3.5',
  ethnicGroup: '2.16.156.10011.2.3.3.3',
  icd10: '2.16.156.10011.2.3.3.11',
  procedures: '2.16.156.10011.2.3.3.12',
  /** 入院途径代码表: in WS/T 500 inpatient documents the encompassingEncounter/code. */
  admissionRoute: '2.16.156.10011.2.3.1.270',
  loinc: '2.16.840.1.113883.6.1',
  /** HL7 v3 Confidentiality (CDA R2's confidentialityCode). */
  confidentiality: '2.16.840.1.113883.5.25',
} as const;

/**
 * Patient identifiers that name one person across institutions, in the order they are matched:
 * the resident ID card number, then the (regional) health-record number. Visit numbers are only
 * unique within their hospital, so a patient known by them alone is matched within the custodian.
 */
export const PATIENT_ID_PRIORITY: readonly string[] = [OID.residentId, OID.healthRecord];

/** Roots of visit numbers: kept on the Encounter as well as on the Patient. */
export const VISIT_ID_ROOTS: Readonly<Record<string, 'AMB' | 'IMP'>> = { [OID.outpatientNo]: 'AMB', [OID.inpatientNo]: 'IMP' };

/** Levels of the encompassingEncounter location chain, innermost first, by identifier root. */
export const LOCATION_LEVELS: Readonly<Record<string, { type: 'Location' | 'Organization'; physicalType?: string; zh: string }>> = {
  [OID.bed]: { type: 'Location', physicalType: 'bd', zh: '病床' },
  [OID.room]: { type: 'Location', physicalType: 'ro', zh: '病房' },
  [OID.ward]: { type: 'Location', physicalType: 'wa', zh: '病区' },
  [OID.department]: { type: 'Organization', zh: '科室' },
  [OID.organization]: { type: 'Organization', zh: '医疗机构' },
};

export function oidSystem(root: string): string {
  return root.startsWith('urn:') || root.startsWith('http') ? root : `urn:oid:${root}`;
}

/** The OID back from a FHIR system (LOINC's canonical URL included). */
export function systemOid(system: string | undefined): string | undefined {
  if (!system) return undefined;
  if (system === 'http://loinc.org') return OID.loinc;
  return system.startsWith('urn:oid:') ? system.slice(8) : system;
}

export function fhirSystem(oid: string | undefined): string | undefined {
  if (!oid) return undefined;
  return oid === OID.loinc ? 'http://loinc.org' : oidSystem(oid);
}
