import type {
  CodeableConcept,
  Coding,
  Condition,
  DiagnosticReport,
  Encounter,
  HumanName,
  Identifier,
  Observation,
  Patient,
  Period,
  Quantity,
  Resource,
} from '@medplum/fhirtypes';
import { Random } from './random.js';
import { formatDecimal, shift, UCUM, UCUM_UNITS, type Decimal } from './values.js';

export type Stored = Resource & { id: string };

const NATIONAL_ID = 'urn:oid:2.16.156.10011.1.1';
const MRN = 'https://qiao.health/mrn';
const INSURANCE = 'https://qiao.health/insurance';
const COHORT = 'https://qiao.health/oracle-cohort';
const LOINC = 'http://loinc.org';
const LAB = 'https://qiao.health/lab';
const SNOMED = 'http://snomed.info/sct';

const FAMILIES = [
  ['张', 'Zhāng'],
  ['李', 'Lǐ'],
  ['王', 'Wáng'],
  ['刘', 'Liú'],
  ['陈', 'Chén'],
  ['吕', 'Lǚ'],
  ['欧阳', 'Ōuyáng'],
  ['司马', 'Sīmǎ'],
] as const;
const GIVENS = [
  ['三', 'Sān'],
  ['伟', 'Wěi'],
  ['芳', 'Fāng'],
  ['娜', 'Nà'],
  ['秀英', 'Xiùyīng'],
  ['强', 'Qiáng'],
] as const;
const WESTERN = [
  ['Müller', 'Jürgen'],
  ['Ångström', 'Anders'],
  ['García', 'José'],
] as const;
const CITIES = ['北京市', '上海市', 'Guǎngzhōu', 'GUANGZHOU', 'Shenzhen', '深圳市'];
const DISTRICTS = ['海淀区', '朝阳区', 'Nánshān', '浦东新区'];

const stripMarks = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '');
const fullWidth = (text: string): string => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Latin text as people type it: with or without tone marks, in any case, sometimes full-width. */
export function respell(rng: Random, text: string): string {
  switch (rng.int(0, 4)) {
    case 0:
      return stripMarks(text);
    case 1:
      return stripMarks(text).toUpperCase();
    case 2:
      return text.toLowerCase();
    case 3:
      return fullWidth(stripMarks(text));
    default:
      return text;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
export type Precision = 'year' | 'month' | 'day' | 'second' | 'ms';
export const ZONES = ['+08:00', 'Z', '-05:00', '+05:30'];

/** A date or dateTime cut at a random precision; a time always carries a zone, as FHIR requires. */
export function randomDate(rng: Random, fromYear: number, toYear: number, precisions: readonly Precision[]): string {
  const precision = rng.pick(precisions);
  let text = String(rng.int(fromYear, toYear));
  if (precision === 'year') return text;
  text += `-${pad(rng.int(1, 12))}`;
  if (precision === 'month') return text;
  text += `-${pad(rng.int(1, 28))}`;
  if (precision === 'day') return text;
  text += `T${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`;
  if (precision === 'ms') text += `.${pad(rng.int(0, 999), 3)}`;
  return text + rng.pick(ZONES);
}

const ALL_PRECISIONS: Precision[] = ['year', 'month', 'day', 'second', 'ms'];

/** Open at either end sometimes; start and end fall in disjoint year spans so start < end always holds (per-1). */
function randomPeriod(rng: Random): Period {
  const start = randomDate(rng, 2015, 2019, ALL_PRECISIONS);
  const end = randomDate(rng, 2020, 2024, ALL_PRECISIONS);
  return rng.pick<Period>([{ start, end }, { start, end }, { start }, { end }]);
}

function concept(rng: Random, system: string, code: string, display: string, text: string, local?: string): CodeableConcept {
  const coding: Coding[] = [{ system, code, display }];
  // A second coding from a local system, or with no system at all, makes `|code` and `system|` discriminate.
  if (local && rng.chance(0.5)) coding.push(rng.chance(0.7) ? { system: LAB, code: local, display: text } : { code: local });
  return rng.chance(0.7) ? { coding, text } : { coding };
}

/** A measured amount in `units[0]`, written in one of `units` (exactly, by shifting the decimal point). */
function quantity(rng: Random, units: readonly string[], amount: Decimal): Quantity {
  const unit = rng.pick(units);
  const value = Number(formatDecimal(shift(amount, (UCUM_UNITS[units[0] as string]?.power ?? 0) - (UCUM_UNITS[unit]?.power ?? 0))));
  return rng.chance(0.8) ? { value, unit, system: UCUM, code: unit } : { value, unit };
}

/** A last digit of 5 puts the value exactly on the range edge of a search written one digit coarser. */
function amount(rng: Random, from: number, to: number, decimals: number): Decimal {
  const m = rng.int(from, to);
  return { m: BigInt(rng.chance(0.3) ? m - (m % 10) + 5 : m), e: -decimals };
}

const OBSERVATION_KINDS: ((rng: Random) => Pick<Observation, 'code' | 'valueQuantity' | 'valueCodeableConcept' | 'valueString' | 'component'>)[] = [
  (rng) => ({
    code: concept(rng, LOINC, '2345-7', 'Glucose [Moles/volume] in Serum or Plasma', '血糖', 'GLU'),
    valueQuantity: quantity(rng, ['mmol/L', 'umol/L'], amount(rng, 20, 300, rng.int(1, 2))),
  }),
  (rng) => ({
    code: concept(rng, LOINC, '14682-9', 'Creatinine [Moles/volume] in Serum or Plasma', '肌酐', 'CREA'),
    valueQuantity: quantity(rng, ['umol/L', 'mmol/L'], amount(rng, 300, 15000, 1)),
  }),
  (rng) => ({
    code: concept(rng, LOINC, '25428-4', 'Ascorbic acid intake', '维生素C摄入', 'VITC'),
    valueQuantity: quantity(rng, ['mg', 'g'], amount(rng, 1, 99999, rng.int(0, 2))),
  }),
  (rng) => ({
    code: concept(rng, LOINC, '29463-7', 'Body weight', '体重'),
    valueQuantity: quantity(rng, ['kg', 'g'], amount(rng, 25000, 120000, 3)),
  }),
  (rng) => ({
    code: concept(rng, LOINC, '85354-9', 'Blood pressure panel', '血压'),
    component: [
      { code: concept(rng, LOINC, '8480-6', 'Systolic blood pressure', '收缩压'), valueQuantity: quantity(rng, ['mm[Hg]'], amount(rng, 90, 180, 0)) },
      { code: concept(rng, LOINC, '8462-4', 'Diastolic blood pressure', '舒张压'), valueQuantity: quantity(rng, ['mm[Hg]'], amount(rng, 600, 1100, 1)) },
    ],
  }),
  (rng) => ({
    code: concept(rng, LOINC, '94500-6', 'SARS-CoV-2 RNA', '新冠核酸', 'COV'),
    valueCodeableConcept: rng.pick([
      { coding: [{ system: SNOMED, code: '260385009', display: 'Negative' }], text: '阴性' },
      { coding: [{ system: SNOMED, code: '10828004', display: 'Positive' }], text: '阳性' },
    ]),
  }),
  (rng) => ({
    code: concept(rng, LOINC, '5767-9', 'Appearance of Urine', '尿液外观'),
    // Commas and pipes in stored text make the searches escape them.
    valueString: rng.pick(['Clear', '清亮', 'Trace, 1+', 'Trübe | cloudy', 'CLEAR']),
  }),
];

function nationalId(rng: Random): string {
  const body = `110105${rng.int(1940, 2020)}${pad(rng.int(1, 12))}${pad(rng.int(1, 28))}${pad(rng.int(0, 999), 3)}`;
  return body + rng.pick([...'0123456789X']);
}

function patient(rng: Random, id: string): Patient {
  const [family, familyPinyin] = rng.pick(FAMILIES);
  const [given, givenPinyin] = rng.pick(GIVENS);
  const name: HumanName[] = [];
  if (rng.chance(0.8)) name.push({ use: 'official', text: family + given, family, given: [given] });
  if (rng.chance(0.6)) name.push({ use: 'usual', family: respell(rng, familyPinyin), given: [respell(rng, givenPinyin)] });
  if (rng.chance(0.1)) {
    const [westernFamily, westernGiven] = rng.pick(WESTERN);
    name.push({ family: westernFamily, given: [westernGiven] });
  }
  // The same numbers recur under several systems, so only a system-qualified search tells them apart.
  const identifierMakers: (() => Identifier)[] = [
    () => ({ system: NATIONAL_ID, value: nationalId(rng), type: { text: '居民身份证' } }),
    () => ({ system: MRN, value: String(rng.int(1000, 1030)), type: { text: 'Medical record number' } }),
    () => ({ system: INSURANCE, value: String(rng.int(1000, 1030)), type: { text: '医保卡' } }),
    () => ({ value: String(rng.int(1000, 1030)) }),
  ];
  const result: Patient = { resourceType: 'Patient', id, meta: meta(rng) };
  const identifier = rng.some(identifierMakers, 0, 3).map((make) => make());
  if (identifier.length) result.identifier = identifier;
  if (rng.chance(0.7)) result.active = rng.chance(0.7);
  if (name.length) result.name = name;
  const telecom = rng.some([{ system: 'phone' as const, value: `138${pad(rng.int(0, 99999999), 8)}` }, { system: 'email' as const, value: `${id}@example.cn` }], 0, 2);
  if (telecom.length) result.telecom = telecom;
  if (rng.chance(0.9)) result.gender = rng.pick(['male', 'female', 'other', 'unknown'] as const);
  if (rng.chance(0.85)) result.birthDate = randomDate(rng, 1940, 2020, ['year', 'month', 'day', 'day', 'day']);
  if (rng.chance(0.8)) result.address = [{ line: ['中关村大街1号'], city: rng.pick(CITIES), district: rng.pick(DISTRICTS) }];
  return result;
}

function meta(rng: Random): Resource['meta'] {
  const tag = rng.some([{ system: COHORT, code: rng.pick(['cohort-a', 'cohort-b']) }, { code: 'reviewed' }], 0, 2);
  return tag.length ? { tag } : undefined;
}

function effective(rng: Random): Pick<Observation, 'effectiveDateTime' | 'effectivePeriod'> {
  const roll = rng.next();
  if (roll < 0.15) return {};
  if (roll < 0.7) return { effectiveDateTime: randomDate(rng, 2015, 2024, ALL_PRECISIONS) };
  return { effectivePeriod: randomPeriod(rng) };
}

function observation(rng: Random, id: string, patients: string[]): Observation {
  const result: Observation = {
    resourceType: 'Observation',
    id,
    meta: meta(rng),
    status: rng.pick(['final', 'preliminary', 'amended', 'cancelled', 'registered'] as const),
    ...rng.pick(OBSERVATION_KINDS)(rng),
    ...effective(rng),
  };
  // Some subjects are groups: `patient` (derived, search/derived-references.ts) is then not `subject`.
  if (rng.chance(0.9)) result.subject = { reference: rng.chance(0.1) ? `Group/g${rng.int(1, 3)}` : `Patient/${rng.pick(patients)}` };
  return result;
}

function encounter(rng: Random, id: string, patients: string[]): Encounter {
  const result: Encounter = {
    resourceType: 'Encounter',
    id,
    meta: meta(rng),
    status: rng.pick(['planned', 'arrived', 'in-progress', 'finished', 'cancelled'] as const),
    class: rng.pick([
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: '门诊' },
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: '住院' },
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER', display: 'Emergency' },
    ]),
    subject: { reference: rng.chance(0.1) ? `Group/g${rng.int(1, 3)}` : `Patient/${rng.pick(patients)}` },
  };
  if (rng.chance(0.85)) result.period = randomPeriod(rng);
  return result;
}

function condition(rng: Random, id: string, patients: string[]): Condition {
  const result: Condition = {
    resourceType: 'Condition',
    id,
    meta: meta(rng),
    code: rng.pick([
      concept(rng, 'http://hl7.org/fhir/sid/icd-10', 'E11.9', 'Type 2 diabetes mellitus without complications', '2型糖尿病'),
      concept(rng, 'http://hl7.org/fhir/sid/icd-10', 'I10', 'Essential (primary) hypertension', '原发性高血压'),
      concept(rng, 'http://hl7.org/fhir/sid/icd-10', 'J45.9', 'Asthma, unspecified', '哮喘'),
    ]),
    subject: { reference: `Patient/${rng.pick(patients)}` },
  };
  if (rng.chance(0.8)) result.onsetDateTime = randomDate(rng, 1990, 2024, ALL_PRECISIONS);
  if (rng.chance(0.8)) {
    const code = rng.pick(['active', 'recurrence', 'resolved']);
    result.clinicalStatus = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] };
  }
  return result;
}

function diagnosticReport(rng: Random, id: string, patients: string[], observations: string[]): DiagnosticReport {
  const result: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id,
    meta: meta(rng),
    status: rng.pick(['final', 'preliminary', 'amended'] as const),
    code: rng.pick([
      concept(rng, LOINC, '24323-8', 'Comprehensive metabolic panel', '综合代谢检查'),
      concept(rng, LOINC, '58410-2', 'CBC panel', '血常规'),
    ]),
    subject: { reference: `Patient/${rng.pick(patients)}` },
  };
  if (rng.chance(0.85)) result.effectiveDateTime = randomDate(rng, 2015, 2024, ALL_PRECISIONS);
  const results = rng.some(observations, 0, 3);
  if (results.length) result.result = results.map((o) => ({ reference: `Observation/${o}` }));
  return result;
}

/** About 80 resources per seed; ids are fixed-width so their order does not depend on a collation. */
export function generateCorpus(seed: number): Stored[] {
  const rng = new Random(seed);
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${seed}-${pad(i, 3)}`);
  const patients = ids('p', 20);
  const observations = ids('o', 32);
  return [
    ...patients.map((id) => patient(rng, id)),
    ...observations.map((id) => observation(rng, id, patients)),
    ...ids('e', 10).map((id) => encounter(rng, id, patients)),
    ...ids('c', 10).map((id) => condition(rng, id, patients)),
    ...ids('r', 8).map((id) => diagnosticReport(rng, id, patients, observations)),
  ] as Stored[];
}
