/** A synthetic resident: the Patient resource and the facts the clinical generator needs. */
import type { Patient } from '@medplum/fhirtypes';
import { divisionAddress } from './builders.js';
import {
  AGE_BANDS, ETHNICITIES, MARITAL_BY_AGE, MARITAL_STATUSES, MOBILE_PREFIXES, STREETS, type MaritalStatus,
} from './demographics.js';
import { DIVISIONS } from './divisions.js';
import { composeResidentId } from '@qiao/profiles';
import { personName } from './names.js';
import { organizationReference, type ProviderOrganization } from './reference.js';
import { type Random, WeightedTable } from './random.js';
import type { DatasetState } from './state.js';
import { CS, EXT, ID, PROFILE, syntheticMeta } from './systems.js';
import { formatDate } from './time.js';

export interface Person {
  readonly fullUrl: string;
  readonly resource: Patient;
  readonly residentId: string;
  readonly gender: 'male' | 'female';
  /** Whole years on the dataset's start date. */
  readonly age: number;
  readonly birthDay: number;
  /** The primary care centre that keeps the health record; the person lives in its township. */
  readonly home: ProviderOrganization;
}

const AGE_TABLE = new WeightedTable(AGE_BANDS, (b) => b.weight);
const ETHNICITY_TABLE = new WeightedTable(ETHNICITIES, (e) => e.millions);
const MARITAL_TABLES = MARITAL_BY_AGE.map((row) => ({
  fromAge: row.fromAge,
  table: new WeightedTable(Object.keys(row.weights) as MaritalStatus['code'][], (code) => row.weights[code]),
}));

/** Share of residents whose ID number was issued where they now live; the rest moved in. */
const BORN_LOCALLY = 0.75;

function maritalStatus(rng: Random, age: number): MaritalStatus {
  const row = MARITAL_TABLES.findLast((r) => age >= r.fromAge);
  if (!row) throw new RangeError(`no marital status distribution for age ${age}`);
  return MARITAL_STATUSES[row.table.pick(rng)];
}

/** A GB 11643 number not yet used in this dataset: division, birth date, sequence of the right parity. */
function uniqueResidentId(rng: Random, state: DatasetState, divisionCode: string, birthDate: string, gender: 'male' | 'female'): string {
  for (;;) {
    const sexDigit = rng.int(0, 4) * 2 + (gender === 'male' ? 1 : 0);
    const id = composeResidentId(divisionCode, birthDate, rng.digits(2) + String(sexDigit));
    if (!state.residentIds.has(id)) {
      state.residentIds.add(id);
      return id;
    }
  }
}

export function createPerson(rng: Random, state: DatasetState, homes: readonly ProviderOrganization[], startDay: number): Person {
  const home = rng.pick(homes);
  const township = home.row.township;
  if (!township) throw new Error(`${home.row.name} serves no township`);
  const gender = rng.chance(0.5) ? 'male' : 'female';
  const band = AGE_TABLE.pick(rng);
  const age = rng.int(band.from, band.to);
  // A birthday 0–364 days before the age-th anniversary preceding the start date.
  const birthDay = startDay - Math.floor(age * 365.2425) - rng.int(1, 364);
  const birthDate = formatDate(birthDay);
  const registered = rng.chance(BORN_LOCALLY) ? home.division.code : rng.pick(DIVISIONS).code;
  const residentId = uniqueResidentId(rng, state, registered, birthDate, gender);

  const recordSeq = state.next(`health-record:${home.code}`);
  // 17 digits: county, township, village committee, personal number (the residents' health record scheme).
  const healthRecordNo = `${home.division.code}${township.code}${String(Math.floor(recordSeq / 100_000) + 1).padStart(3, '0')}${String(recordSeq % 100_000).padStart(5, '0')}`;
  const cardSeq = String(state.next('card')).padStart(8, '0');
  const name = personName(rng, gender);
  const ethnicity = ETHNICITY_TABLE.pick(rng);
  const marital = maritalStatus(rng, age);
  const line = `${rng.pick(STREETS)}${rng.int(1, 300)}号${rng.int(1, 30)}栋${rng.int(1, 4)}单元${rng.int(1, 18)}0${rng.int(1, 4)}室`;
  const fullUrl = `urn:uuid:${rng.uuid()}`;

  const resource: Patient = {
    resourceType: 'Patient',
    meta: { ...syntheticMeta(), profile: [PROFILE.patient] },
    extension: [{ url: EXT.ethnicity, valueCoding: { system: CS.ethnicity, code: ethnicity.code, display: ethnicity.name } }],
    identifier: [
      { use: 'official', type: { text: '居民身份证号' }, system: ID.residentId, value: residentId },
      { type: { text: '居民健康档案编号' }, system: ID.healthRecord, value: healthRecordNo },
      // Card numbers have no public format to follow: these are synthetic, unique within a dataset.
      { type: { text: '居民健康卡号' }, system: ID.healthCard, value: `${home.division.code}${state.tag}${cardSeq}` },
      { type: { text: '医疗保险卡号' }, system: ID.insuranceCard, value: `${home.division.code.slice(0, 4)}${state.tag}${cardSeq}` },
    ],
    active: true,
    name: [{ use: 'official', text: name.text, family: name.family, given: [name.given] }],
    telecom: [{ system: 'phone', value: rng.pick(MOBILE_PREFIXES) + rng.digits(8), use: 'mobile' }],
    gender,
    birthDate,
    address: [divisionAddress(home.division, { use: 'home', township: township.name, line })],
    maritalStatus: {
      coding: [
        { system: CS.maritalStatusGb, code: marital.gb, display: marital.zh },
        { system: CS.maritalStatus, code: marital.code, display: marital.display },
      ],
      text: marital.zh,
    },
    managingOrganization: organizationReference(home),
  };
  return { fullUrl, resource, residentId, gender, age, birthDay, home };
}
