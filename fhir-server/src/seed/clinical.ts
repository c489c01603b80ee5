/**
 * A person's year of care: visits (Encounters), what was diagnosed (Conditions) and the lab work
 * ordered (Observations grouped by DiagnosticReports). Everything refers to the Patient and to
 * each other by urn:uuid, and to providers by conditional reference.
 */
import type {
  CodeableConcept, Condition, DiagnosticReport, Encounter, Observation, Patient, Quantity, Reference,
} from '@medplum/fhirtypes';
import { conditionalPost, type Entry, uuidReference } from './builders.js';
import { DIAGNOSES, type Diagnosis } from './diagnoses.js';
import { LAB_TESTS, PANELS, type LabKey, type LabTest, type Panel, type PanelKey } from './labs.js';
import type { Person } from './people.js';
import { type Random, WeightedTable } from './random.js';
import { type Doctor, doctorReference, organizationReference, providers, type ProviderOrganization } from './reference.js';
import { drawResult, type Flag, type LabResult } from './results.js';
import type { DatasetState } from './state.js';
import { CS, ID, syntheticMeta } from './systems.js';
import { MINUTE_MS, at, dayOf, formatDate, formatDateTime } from './time.js';

const VISIT_COUNTS = new WeightedTable(
  [
    { visits: 1, weight: 35 },
    { visits: 2, weight: 30 },
    { visits: 3, weight: 20 },
    { visits: 4, weight: 15 },
  ],
  (row) => row.weight,
);

/** Share of visits for a chronic condition, when the person has one; the rest are acute complaints. */
const FOLLOW_UP_SHARE = 0.5;
/** Share of outpatient visits that order a lab test (when the diagnosis calls for any). */
const OUTPATIENT_LAB_SHARE = 0.5;
/** Share of outpatient visits made to the primary care centre rather than the county hospital. */
const PRIMARY_CARE_SHARE = 0.6;
/** Every admission gets a blood count and a metabolic panel. */
const ADMISSION_PANELS: readonly PanelKey[] = ['cbc', 'cmp'];

const FLAGS: Readonly<Record<Flag, { display: string; zh: string }>> = {
  H: { display: 'High', zh: '偏高' },
  L: { display: 'Low', zh: '偏低' },
  N: { display: 'Normal', zh: '正常' },
};

const CHRONIC = DIAGNOSES.filter((d) => d.kind === 'chronic');
const ACUTE = DIAGNOSES.filter((d) => d.kind === 'acute');
const LAB = new Map(LAB_TESTS.map((t) => [t.key, t]));
const PANEL = new Map(PANELS.map((p) => [p.key, p]));

function lookup<K, V>(map: ReadonlyMap<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`unknown key ${String(key)}`);
  return value;
}

function concept(system: string, code: string, display: string, text?: string): CodeableConcept {
  const coding = [{ system, code, display }];
  return text === undefined ? { coding } : { coding, text };
}

function eligible(d: Diagnosis, person: Person): boolean {
  return person.age >= d.minAge && (d.maxAge === undefined || person.age <= d.maxAge) && (d.sex === undefined || d.sex === person.gender);
}

interface Visit {
  readonly fullUrl: string;
  readonly inpatient: boolean;
  readonly org: ProviderOrganization;
  readonly doctor: Doctor;
  readonly start: number;
  readonly end: number;
}

/** Everything one patient bundle needs besides the Patient itself; `visitScale` multiplies the visits. */
export function clinicalEntries(rng: Random, state: DatasetState, person: Person, startDay: number, visitScale = 1): Entry[] {
  const hospital = providers().find((p) => p.row.kind === 'hospital' && p.division.code === person.home.division.code);
  if (!hospital) throw new Error(`no hospital in ${person.home.division.county}`);
  const chronic = CHRONIC.filter((d) => eligible(d, person) && rng.chance(d.prevalence ?? 0));
  const acute = new WeightedTable(ACUTE.filter((d) => eligible(d, person)), (d) => d.frequency ?? 0);
  /** Chronic conditions get one Condition, at the first visit that deals with them. */
  const recorded = new Map<Diagnosis, string>();
  const chronicSkew = chronic.reduce<Partial<Record<LabKey, number>>>((all, d) => ({ ...all, ...d.skew }), {});
  const subject = uuidReference<Patient>(person.fullUrl, person.resource.name?.[0]?.text);
  const entries: Entry[] = [];

  let day = startDay + rng.int(0, 60);
  for (let n = Math.max(1, Math.round(VISIT_COUNTS.pick(rng).visits * visitScale)); n > 0; n--) {
    const primary = chronic.length > 0 && rng.chance(FOLLOW_UP_SHARE) ? rng.pick(chronic) : acute.pick(rng);
    const inpatient = rng.chance(primary.admit);
    const org = inpatient || !rng.chance(PRIMARY_CARE_SHARE) ? hospital : person.home;
    const start = inpatient ? at(day, rng.int(8, 20), rng.int(0, 59)) : at(day, rng.int(8, 16), rng.int(0, 59));
    const end = inpatient ? at(day + rng.int(3, 14), rng.int(9, 11), rng.int(0, 59)) : start + rng.int(20, 120) * MINUTE_MS;
    const visit: Visit = { fullUrl: `urn:uuid:${rng.uuid()}`, inpatient, org, doctor: rng.pick(org.doctors), start, end };

    // An admission lists every chronic condition as a further diagnosis; an outpatient visit only its reason.
    const treated = inpatient ? [primary, ...chronic.filter((d) => d !== primary)] : [primary];
    const diagnosisRefs: Reference<Condition>[] = [];
    const conditionEntries: Entry[] = [];
    for (const d of treated) {
      const existing = recorded.get(d);
      if (existing) {
        diagnosisRefs.push(uuidReference(existing));
        continue;
      }
      const entry = conditionEntry(rng, d, visit, subject);
      if (d.kind === 'chronic') recorded.set(d, entry.fullUrl);
      diagnosisRefs.push(uuidReference(entry.fullUrl));
      conditionEntries.push(entry);
    }

    const department = org.row.kind === 'hospital' ? primary.department : '全科医疗科';
    entries.push(encounterEntry(state, visit, subject, department, diagnosisRefs), ...conditionEntries);

    const ordered: PanelKey[] = inpatient
      ? [...new Set([...ADMISSION_PANELS, ...primary.panels])]
      : primary.panels.length > 0 && rng.chance(OUTPATIENT_LAB_SHARE) ? [rng.pick(primary.panels)] : [];
    const collected = inpatient ? at(day + 1, 6, rng.int(0, 59)) : start + rng.int(10, 40) * MINUTE_MS;
    const skew = { ...chronicSkew, ...primary.skew };
    for (const key of ordered) entries.push(...labEntries(rng, person, visit, subject, lookup(PANEL, key), skew, collected));
    day = dayOf(end) + rng.int(7, 120);
  }
  return entries;
}

function encounterEntry(state: DatasetState, visit: Visit, subject: Reference<Patient>, department: string, diagnoses: Reference<Condition>[]): Entry {
  const system = visit.inpatient ? ID.inpatientNo : ID.outpatientNo;
  const value = `${visit.inpatient ? 'ZY' : 'MZ'}${state.tag}${String(state.next(system)).padStart(8, '0')}`;
  const resource: Encounter = {
    resourceType: 'Encounter',
    meta: syntheticMeta(),
    identifier: [{ use: 'official', system, value }],
    status: 'finished',
    class: visit.inpatient
      ? { system: CS.actCode, code: 'IMP', display: 'inpatient encounter' }
      : { system: CS.actCode, code: 'AMB', display: 'ambulatory' },
    serviceType: { text: department },
    subject,
    participant: [
      { type: [concept(CS.participationType, 'ATND', 'attender')], individual: doctorReference(visit.doctor) },
    ],
    period: { start: formatDateTime(visit.start), end: formatDateTime(visit.end) },
    diagnosis: diagnoses.map((condition, i) => ({ condition, rank: i + 1 })),
    serviceProvider: organizationReference(visit.org),
  };
  return conditionalPost(visit.fullUrl, resource, { system, value });
}

function conditionEntry(rng: Random, d: Diagnosis, visit: Visit, subject: Reference<Patient>): Entry {
  const fullUrl = `urn:uuid:${rng.uuid()}`;
  const resource: Condition = {
    resourceType: 'Condition',
    meta: syntheticMeta(),
    identifier: [{ system: ID.uri, value: fullUrl }],
    clinicalStatus:
      d.kind === 'acute' ? concept(CS.conditionClinical, 'resolved', 'Resolved') : concept(CS.conditionClinical, 'active', 'Active'),
    verificationStatus: concept(CS.conditionVerification, 'confirmed', 'Confirmed'),
    category: [concept(CS.conditionCategory, 'encounter-diagnosis', 'Encounter Diagnosis')],
    code: { coding: [{ system: CS.icd10Cn, code: d.code, display: d.zh }, { system: CS.icd10, code: d.who }], text: d.zh },
    subject,
    encounter: uuidReference<Encounter>(visit.fullUrl),
  };
  if (d.kind === 'acute') {
    resource.onsetDateTime = formatDate(dayOf(visit.start) - rng.int(0, 5));
    // Outpatients recover some days after the visit; inpatients are discharged when it resolves.
    resource.abatementDateTime = formatDate(dayOf(visit.end) + (visit.inpatient ? 0 : rng.int(3, 14)));
  }
  resource.recordedDate = formatDateTime(visit.start);
  resource.recorder = doctorReference(visit.doctor);
  return conditionalPost(fullUrl, resource, { system: ID.uri, value: fullUrl });
}

function quantity(test: LabTest, value: number): Quantity {
  return { value, unit: test.unit, system: CS.ucum, code: test.ucum };
}

function rangeText(test: LabTest, result: LabResult): string {
  const [low, high] = result.reference;
  if (low !== undefined && high !== undefined) return `${low}-${high} ${test.unit}`;
  return low !== undefined ? `≥${low} ${test.unit}` : `≤${high} ${test.unit}`;
}

function labEntries(
  rng: Random,
  person: Person,
  visit: Visit,
  subject: Reference<Patient>,
  panel: Panel,
  skew: Partial<Record<LabKey, number>>,
  collected: number,
): Entry[] {
  const effectiveDateTime = formatDateTime(collected);
  const issued = formatDateTime(collected + rng.int(60, 180) * MINUTE_MS);
  const encounter = uuidReference<Encounter>(visit.fullUrl);
  const abnormal: string[] = [];
  const observations = panel.tests.map((key) => {
    const test = lookup(LAB, key);
    const result = drawResult(rng, test, person.gender, skew[key]);
    if (result.flag !== 'N') abnormal.push(`${test.zh}${FLAGS[result.flag].zh}（${result.value} ${test.unit}）`);
    const [low, high] = result.reference;
    const fullUrl = `urn:uuid:${rng.uuid()}`;
    const resource: Observation = {
      resourceType: 'Observation',
      meta: syntheticMeta(),
      identifier: [{ system: ID.uri, value: fullUrl }],
      status: 'final',
      category: [concept(CS.observationCategory, 'laboratory', 'Laboratory')],
      code: { coding: [{ system: CS.loinc, code: test.loinc, display: test.display }], text: test.zh },
      subject,
      encounter,
      effectiveDateTime,
      issued,
      valueQuantity: quantity(test, result.value),
      interpretation: [concept(CS.interpretation, result.flag, FLAGS[result.flag].display, FLAGS[result.flag].zh)],
      referenceRange: [
        {
          ...(low !== undefined ? { low: quantity(test, low) } : {}),
          ...(high !== undefined ? { high: quantity(test, high) } : {}),
          text: rangeText(test, result),
        },
      ],
    };
    return conditionalPost(fullUrl, resource, { system: ID.uri, value: fullUrl });
  });

  const fullUrl = `urn:uuid:${rng.uuid()}`;
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    meta: syntheticMeta(),
    identifier: [{ system: ID.uri, value: fullUrl }],
    status: 'final',
    category: [concept(CS.diagnosticServiceSection, 'LAB', 'Laboratory')],
    code: { coding: [{ system: CS.loinc, code: panel.loinc, display: panel.display }], text: panel.zh },
    subject,
    encounter,
    effectiveDateTime,
    issued,
    performer: [organizationReference(visit.org)],
    result: observations.map((e) => uuidReference<Observation>(e.fullUrl)),
    conclusion: abnormal.length > 0 ? `${abnormal.join('；')}。` : '各项指标均在参考范围内。',
  };
  return [...observations, conditionalPost(fullUrl, report, { system: ID.uri, value: fullUrl })];
}
