/**
 * The shared reference data: Organizations and Practitioners. It does not depend on the dataset's
 * seed, so datasets generated with different seeds refer to the same providers, and loading a second
 * dataset into a server finds them already there (conditional create on their identifiers).
 */
import type { Bundle, Organization, Practitioner, Reference } from '@medplum/fhirtypes';
import { conditionalPost, conditionalReference, divisionAddress } from './builders.js';
import { type Division, division } from './divisions.js';
import { composeCreditCode } from '@qiao/profiles';
import { personName } from './names.js';
import { ORGANIZATIONS, type OrganizationRow } from './organizations.js';
import { Random } from './random.js';
import { CS, ID, PROFILE, syntheticMeta } from './systems.js';

export interface ProviderOrganization {
  readonly row: OrganizationRow;
  readonly division: Division;
  /** Unified social credit code, the Organization's identifier. */
  readonly code: string;
  readonly fullUrl: string;
  readonly doctors: readonly Doctor[];
  readonly resource: Organization;
}

export interface Doctor {
  readonly staffNo: string;
  readonly name: string;
  readonly fullUrl: string;
  readonly resource: Practitioner;
}

const LICENCES = {
  MD: { display: 'Doctor of Medicine', zh: '执业医师' },
  PA: { display: 'Physician Assistant', zh: '执业助理医师' },
} as const;

function buildDoctor(rng: Random, org: OrganizationRow, orgNumber: number, doctorNumber: number): Doctor {
  const gender = rng.chance(0.5) ? 'male' : 'female';
  const name = personName(rng, gender);
  // Staff numbers are unique per institution in practice; the division and institution number in front keep them unique here.
  const staffNo = `${org.division}${String(orgNumber).padStart(2, '0')}${String(doctorNumber).padStart(3, '0')}`;
  const licence = LICENCES[org.licence];
  const resource: Practitioner = {
    resourceType: 'Practitioner',
    meta: { ...syntheticMeta(), profile: [PROFILE.practitioner] },
    identifier: [{ use: 'official', system: ID.staff, value: staffNo }],
    active: true,
    name: [{ use: 'official', text: name.text, family: name.family, given: [name.given] }],
    gender,
    qualification: [{ code: { coding: [{ system: CS.degreeLicense, code: org.licence, display: licence.display }], text: licence.zh } }],
  };
  return { staffNo, name: name.text, fullUrl: `urn:uuid:${rng.uuid()}`, resource };
}

function buildOrganization(rng: Random, row: OrganizationRow, orgNumber: number): ProviderOrganization {
  const place = division(row.division);
  const code = composeCreditCode('12', row.division, rng.digits(8));
  const resource: Organization = {
    resourceType: 'Organization',
    meta: { ...syntheticMeta(), profile: [PROFILE.organization] },
    identifier: [{ use: 'official', system: ID.organization, value: code }],
    active: true,
    type: [{ coding: [{ system: CS.organizationType, code: 'prov', display: 'Healthcare Provider' }], text: row.typeText }],
    name: row.name,
    address: [divisionAddress(place, row.township ? { use: 'work', township: row.township.name } : { use: 'work' })],
  };
  const fullUrl = `urn:uuid:${rng.uuid()}`;
  const doctors = Array.from({ length: row.doctors }, (_, i) => buildDoctor(rng, row, orgNumber, i + 1));
  return { row, division: place, code, fullUrl, doctors, resource };
}

let cached: readonly ProviderOrganization[] | undefined;

/** The organisations with their doctors, built once (from a fixed seed) and shared by all datasets. */
export function providers(): readonly ProviderOrganization[] {
  if (!cached) {
    const rng = new Random('qiao-reference-data');
    cached = ORGANIZATIONS.map((row, i) => buildOrganization(rng, row, i + 1));
  }
  return cached;
}

export function organizationReference(org: ProviderOrganization): Reference<Organization> {
  return conditionalReference<Organization>('Organization', ID.organization, org.code, org.row.name);
}

export function doctorReference(doctor: Doctor): Reference<Practitioner> {
  return conditionalReference<Practitioner>('Practitioner', ID.staff, doctor.staffNo, doctor.name);
}

/** The reference data as one transaction; load it before any patient bundle. */
export function referenceBundle(): Bundle {
  const orgs = providers();
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      ...orgs.map((o) => conditionalPost(o.fullUrl, structuredClone(o.resource), { system: ID.organization, value: o.code })),
      ...orgs.flatMap((o) =>
        o.doctors.map((d) => conditionalPost(d.fullUrl, structuredClone(d.resource), { system: ID.staff, value: d.staffNo })),
      ),
    ],
  };
}
