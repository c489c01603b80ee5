import type { Address, Identifier, Patient } from '@medplum/fhirtypes';
import { ID, isValidResidentId, sd } from '@qiao/profiles';
import { compareNames } from './names.js';
import { THRESHOLDS, WEIGHTS, type Field, type Grade, type Outcome } from './weights.js';

export interface Evidence {
  field: Field;
  outcome: Outcome;
  points: number;
}

export interface Comparison {
  /** 0–1: the summed points, capped to 0–100, over 100. */
  score: number;
  grade: Grade | undefined;
  evidence: Evidence[];
}

/** Identifier systems with weights of their own; any other system counts as `otherIdentifier`. */
const IDENTIFIER_FIELDS: ReadonlyArray<readonly [system: string, field: Field]> = [
  [ID.residentId, 'residentId'],
  [ID.healthCard, 'healthCard'],
  [ID.insuranceCard, 'insuranceCard'],
  [ID.healthRecord, 'healthRecord'],
];

/** Resident IDs compare with an upper-case check character: forms often carry a lower-case 'x'. */
export function identifierValue(identifier: Identifier): string | undefined {
  const value = identifier.value?.trim();
  if (!value) return undefined;
  return identifier.system === ID.residentId ? value.toUpperCase() : value;
}

function valuesOf(patient: Patient, system: string): string[] {
  return (patient.identifier ?? [])
    .filter((i) => i.system === system)
    .map(identifierValue)
    .filter((v): v is string => v !== undefined);
}

function compareSets(a: string[], b: string[]): Outcome | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  return a.some((v) => b.includes(v)) ? 'agree' : 'disagree';
}

function compareResidentIds(a: Patient, b: Patient): Outcome | undefined {
  // Only valid numbers may count against: a mistyped number says nothing about the person.
  const [va, vb] = [valuesOf(a, ID.residentId), valuesOf(b, ID.residentId)];
  const outcome = compareSets(va, vb);
  if (outcome === 'disagree' && !(va.some(isValidResidentId) && vb.some(isValidResidentId))) return undefined;
  return outcome;
}

function otherIdentifiers(a: Patient, b: Patient): Outcome | undefined {
  const known = new Set(IDENTIFIER_FIELDS.map(([system]) => system));
  const keys = (p: Patient) =>
    (p.identifier ?? []).filter((i) => i.system && !known.has(i.system) && i.value).map((i) => `${i.system}|${i.value}`);
  // Other systems (outpatient numbers, local MRNs) differ between hospitals as a rule: only agreement counts.
  return compareSets(keys(a), keys(b)) === 'agree' ? 'agree' : undefined;
}

function compareBirthDates(a: string | undefined, b: string | undefined): Outcome | undefined {
  if (!a || !b) return undefined;
  const [da, db] = [a.slice(0, 10).replaceAll('-', ''), b.slice(0, 10).replaceAll('-', '')];
  if (da.length !== 8 || db.length !== 8) return da.slice(0, 4) === db.slice(0, 4) ? undefined : 'disagree';
  if (da === db) return 'agree';
  let differing = 0;
  for (let i = 0; i < 8; i++) if (da[i] !== db[i]) differing++;
  const swapped = da.slice(0, 4) + da.slice(6, 8) + da.slice(4, 6) === db;
  return differing === 1 || swapped ? 'close' : 'disagree';
}

function compareGender(a: Patient['gender'], b: Patient['gender']): Outcome | undefined {
  const known = (g: Patient['gender']) => g === 'male' || g === 'female';
  if (!known(a) || !known(b)) return undefined;
  return a === b ? 'agree' : 'disagree';
}

/** Digits of a phone number without the +86 / 0086 country prefix. */
export function phoneDigits(value: string): string {
  return value.replace(/\D/g, '').replace(/^(0086|86)(?=1\d{10}$)/, '');
}

function phones(p: Patient): string[] {
  return (p.telecom ?? []).filter((t) => (t.system ?? 'phone') === 'phone' && t.value).map((t) => phoneDigits(t.value as string)).filter(Boolean);
}

const DIVISION_CODE = sd('division-code');

function divisionCodes(addresses: Address[] | undefined): string[] {
  return (addresses ?? [])
    .flatMap((a) => a.extension ?? [])
    .filter((e) => e.url === DIVISION_CODE && typeof e.valueCode === 'string')
    .map((e) => (e.valueCode as string).slice(0, 6));
}

function compareDivisions(a: Patient, b: Patient): Outcome | undefined {
  const [ca, cb] = [divisionCodes(a.address), divisionCodes(b.address)];
  if (ca.some((c) => cb.includes(c))) return 'agree';
  if (ca.some((c) => cb.some((d) => c.slice(0, 4) === d.slice(0, 4)))) return 'city';
  return undefined;
}

/** Compares the record looked for with a candidate, field by field, and grades the sum. */
export function comparePatients(query: Patient, candidate: Patient): Comparison {
  const outcomes: [Field, Outcome | undefined][] = [
    ['residentId', compareResidentIds(query, candidate)],
    ...IDENTIFIER_FIELDS.slice(1).map(([system, field]): [Field, Outcome | undefined] => [field, compareSets(valuesOf(query, system), valuesOf(candidate, system))]),
    ['otherIdentifier', otherIdentifiers(query, candidate)],
    ['name', compareNames(query.name, candidate.name)],
    ['birthDate', compareBirthDates(query.birthDate, candidate.birthDate)],
    ['gender', compareGender(query.gender, candidate.gender)],
    ['phone', compareSets(phones(query), phones(candidate)) === 'agree' ? 'agree' : undefined],
    ['division', compareDivisions(query, candidate)],
  ];
  const evidence: Evidence[] = [];
  for (const [field, outcome] of outcomes) {
    if (outcome === undefined) continue;
    const points = WEIGHTS[field].points[outcome];
    if (points !== undefined) evidence.push({ field, outcome, points });
  }
  const total = evidence.reduce((sum, e) => sum + e.points, 0);
  const score = Math.min(100, Math.max(0, total)) / 100;
  return { score, grade: grade(evidence, total), evidence };
}

function grade(evidence: Evidence[], total: number): Grade | undefined {
  const resident = evidence.find((e) => e.field === 'residentId')?.outcome;
  if (resident === 'agree') return 'certain';
  if (resident === 'disagree') {
    // Two different people who look alike: worth telling the clerk, as a negative answer.
    const withoutId = total - (WEIGHTS.residentId.points.disagree ?? 0);
    return withoutId >= THRESHOLDS.possible ? 'certainly-not' : undefined;
  }
  if (total >= THRESHOLDS.certain) return 'certain';
  if (total >= THRESHOLDS.probable) return 'probable';
  if (total >= THRESHOLDS.possible) return 'possible';
  return undefined;
}
