/**
 * Canonical URLs of the national code systems (the health information OIDs as `urn:oid:`):
 * 2.3.3.N national standards (GB/T), 2.3.1.N WS 364 value domains, 2.3.2.N WS/T 500's own value
 * sets. Each was checked against WS/T 500 documents as implementations carry them (README).
 */
export const NATIONAL = {
  country: 'urn:oid:2.16.156.10011.2.3.3.1',
  division: 'urn:oid:2.16.156.10011.2.3.3.2',
  ethnicity: 'urn:oid:2.16.156.10011.2.3.3.3',
  sex: 'urn:oid:2.16.156.10011.2.3.3.4',
  maritalStatus: 'urn:oid:2.16.156.10011.2.3.3.5',
  education: 'urn:oid:2.16.156.10011.2.3.3.6',
  occupation: 'urn:oid:2.16.156.10011.2.3.3.7',
  familyRelation: 'urn:oid:2.16.156.10011.2.3.3.8',
  icd10cn: 'urn:oid:2.16.156.10011.2.3.3.11',
  icd9cm3: 'urn:oid:2.16.156.10011.2.3.3.12',
  employmentStatus: 'urn:oid:2.16.156.10011.2.3.3.13',
  tcm: 'urn:oid:2.16.156.10011.2.3.3.14',
  idDocumentType: 'urn:oid:2.16.156.10011.2.3.1.1',
  aboBloodType: 'urn:oid:2.16.156.10011.2.3.1.85',
  rhBloodType: 'urn:oid:2.16.156.10011.2.3.1.250',
  paymentMethod: 'urn:oid:2.16.156.10011.2.3.1.269',
  admissionRoute: 'urn:oid:2.16.156.10011.2.3.1.270',
  patientType: 'urn:oid:2.16.156.10011.2.3.1.271',
  medicationRoute: 'urn:oid:2.16.156.10011.2.3.1.158',
  dosageForm: 'urn:oid:2.16.156.10011.2.3.1.211',
  anaesthesiaMethod: 'urn:oid:2.16.156.10011.2.3.1.159',
  admissionCondition: 'urn:oid:2.16.156.10011.2.3.1.253',
  woundClass: 'urn:oid:2.16.156.10011.2.3.1.256',
  surgeryLevel: 'urn:oid:2.16.156.10011.2.3.1.258',
  dischargeDisposition: 'urn:oid:2.16.156.10011.2.3.1.265',
  medicalRecordQuality: 'urn:oid:2.16.156.10011.2.3.2.29',
  icdo3: 'urn:oid:2.16.840.1.113883.6.43.1',
  loinc: 'http://loinc.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
} as const;
