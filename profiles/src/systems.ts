/**
 * The package's canonical base and the national identifier and code systems it binds to, as
 * `urn:oid:` URIs exactly as the WS/T 500 CDA shared documents write them, so that data moves
 * between FHIR and CDA without translation. Sources and checks in the README.
 */
import { NATIONAL } from '@qiao/terminology';

export const CANONICAL = 'https://qiao.health/fhir';
export const PACKAGE_NAME = 'qiao.fhir.cn';
export const PACKAGE_VERSION = '0.1.0';

export const sd = (id: string): string => `${CANONICAL}/StructureDefinition/${id}`;
export const vs = (id: string): string => `${CANONICAL}/ValueSet/${id}`;
export const cs = (id: string): string => `${CANONICAL}/CodeSystem/${id}`;

/** Identifier systems (2.16.156.10011.1.N: identifiers of the health information OID arc). */
export const ID = {
  residentId: 'urn:oid:2.16.156.10011.1.3',
  healthRecord: 'urn:oid:2.16.156.10011.1.2',
  staff: 'urn:oid:2.16.156.10011.1.4',
  organization: 'urn:oid:2.16.156.10011.1.5',
  outpatientNo: 'urn:oid:2.16.156.10011.1.11',
  inpatientNo: 'urn:oid:2.16.156.10011.1.12',
  chartNo: 'urn:oid:2.16.156.10011.1.13',
  insuranceCard: 'urn:oid:2.16.156.10011.1.15',
  healthCard: 'urn:oid:2.16.156.10011.1.19',
  /** GB 32100 unified social credit code: no national health OID exists; ours under the canonical. */
  creditCode: `${CANONICAL}/sid/uscc`,
  /** 医疗机构执业许可证登记号. */
  institutionLicence: `${CANONICAL}/sid/medical-institution-licence`,
} as const;

/** National code systems (2.16.156.10011.2.3.N: value domains), as the terminology service names them. */
export const CS = {
  countries: NATIONAL.country,
  divisions: NATIONAL.division,
  ethnicity: NATIONAL.ethnicity,
  sex: NATIONAL.sex,
  maritalStatus: NATIONAL.maritalStatus,
  education: NATIONAL.education,
  occupation: NATIONAL.occupation,
  familyRelation: NATIONAL.familyRelation,
  dischargeDisposition: NATIONAL.dischargeDisposition,
  icd10Cn: NATIONAL.icd10cn,
  icd9Cm3: NATIONAL.icd9cm3,
  tcm: NATIONAL.tcm,
  loinc: NATIONAL.loinc,
} as const;
