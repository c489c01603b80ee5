/**
 * The query suite: requests a regional health platform makes all day — finding a patient by ID,
 * phone or name, a patient's record, and population questions over codes, values and dates. Each
 * draw picks its parameters from the sampled facts with a seeded stream, so every run asks the
 * same questions, and a repeated query does not just hit one cached row.
 */
import { Random } from '../../seed/random.js';
import { CS, ID } from '../../seed/systems.js';
import { dayNumber, formatDate } from '../../seed/time.js';
import type { PatientFacts } from './facts.js';

export interface SuiteQuery {
  name: string;
  /** What it exercises, for the report. */
  title: string;
  /** The first request, below the server root (`/fhir/…`). */
  path(rng: Random, facts: Facts): string;
  /** Follow `next` links to this page depth. */
  pages?: number;
}

/** Pages from this depth on are also reported apart: deep paging is what offset paging makes slow. */
export const DEEP_PAGE = 21;

export const SUITE: readonly SuiteQuery[] = [
  {
    name: 'patient-identifier',
    title: 'Patient by national ID (`identifier=system|value`)',
    path: (rng, f) => search('Patient', [['identifier', `${ID.residentId}|${f.patient(rng).residentId}`]]),
  },
  {
    name: 'patient-phone',
    title: 'Patient by mobile number (`phone`)',
    path: (rng, f) => search('Patient', [['phone', f.patient(rng).phone]]),
  },
  {
    name: 'patient-name-prefix',
    title: 'Patients by Chinese name prefix: family name and first given character (`name`)',
    path: (rng, f) => {
      const p = f.patient(rng);
      return search('Patient', [['name', `${p.family}${[...p.given][0] ?? ''}`]]);
    },
  },
  {
    name: 'patient-family-birthdate',
    title: 'Patients by family name and birth date (`family`, `birthdate`)',
    path: (rng, f) => {
      const p = f.patient(rng);
      return search('Patient', [['family', p.family], ['birthdate', p.birthDate]]);
    },
  },
  {
    name: 'patient-birthdate-gender',
    title: 'Patients born in one year, of one gender (`birthdate=ge…&birthdate=lt…&gender`)',
    path: (rng, f) => {
      const p = f.patient(rng);
      const year = Number(p.birthDate.slice(0, 4));
      return search('Patient', [['birthdate', `ge${year}-01-01`], ['birthdate', `lt${year + 1}-01-01`], ['gender', p.gender]]);
    },
  },
  {
    name: 'patient-has-condition',
    title: 'Patients with a diagnosis (`_has:Condition:patient:code`)',
    path: (rng, f) => search('Patient', [['_has:Condition:patient:code', `${CS.icd10Cn}|${f.condition(rng).code}`]]),
  },
  {
    name: 'patient-revinclude',
    title: 'Patient by national ID with their Encounters (`_revinclude=Encounter:patient`)',
    path: (rng, f) => search('Patient', [['identifier', `${ID.residentId}|${f.patient(rng).residentId}`], ['_revinclude', 'Encounter:patient']]),
  },
  {
    name: 'patient-everything',
    title: "A patient's whole record (`Patient/{id}/$everything`)",
    path: (rng, f) => `/fhir/Patient/${f.patient(rng).id}/$everything`,
  },
  {
    name: 'observation-code-date',
    title: 'Observations of a LOINC code in a 30-day window (`code`, `date=ge…&date=lt…`)',
    path: (rng, f) => {
      const o = f.observation(rng);
      return search('Observation', [['code', `${CS.loinc}|${o.code}`], ...window(o.date, 15)]);
    },
  },
  {
    name: 'observation-code-value',
    title: 'Observations of a LOINC code above its 90th percentile (`code`, `value-quantity=gt…|ucum|unit`)',
    path: (rng, f) => {
      const o = f.observation(rng);
      return search('Observation', [['code', `${CS.loinc}|${o.code}`], ['value-quantity', `gt${f.percentile(o.code, 0.9)}|${CS.ucum}|${o.unit}`]]);
    },
  },
  {
    name: 'observation-patient-code',
    title: "A patient's results of one test, newest first (`patient`, `code`, `_sort=-date`)",
    path: (rng, f) => {
      const p = f.patient(rng, (x) => x.observations.length > 0);
      return search('Observation', [['patient', `Patient/${p.id}`], ['code', `${CS.loinc}|${rng.pick(p.observations).code}`], ['_sort', '-date']]);
    },
  },
  {
    name: 'observation-chained-identifier',
    title: "A test's results by the patient's national ID (`subject:Patient.identifier`, `code`)",
    path: (rng, f) => {
      const p = f.patient(rng, (x) => x.observations.length > 0);
      return search('Observation', [['subject:Patient.identifier', `${ID.residentId}|${p.residentId}`], ['code', `${CS.loinc}|${rng.pick(p.observations).code}`]]);
    },
  },
  {
    name: 'observation-sort-paging',
    title: 'Results of a common test, newest first, 25 pages deep by `next` links (`code`, `_sort=-date`)',
    pages: 25,
    path: (rng, f) => search('Observation', [['code', `${CS.loinc}|${f.commonCode(rng)}`], ['_sort', '-date']]),
  },
  {
    name: 'observation-code-count',
    title: 'How many results of a test (`code`, `_summary=count`)',
    path: (rng, f) => search('Observation', [['code', `${CS.loinc}|${f.observation(rng).code}`], ['_summary', 'count']]),
  },
  {
    name: 'encounter-identifier',
    title: 'Encounter by visit number (`identifier`)',
    path: (rng, f) => {
      const { identifier } = rng.pick(f.patient(rng).encounters);
      return search('Encounter', [['identifier', `${identifier.system}|${identifier.value}`]]);
    },
  },
  {
    name: 'encounter-patient-date',
    title: "A patient's visits in the year before one of them, newest first (`patient`, `date=ge…`, `_sort=-date`)",
    path: (rng, f) => {
      const p = f.patient(rng);
      const { start } = rng.pick(p.encounters);
      return search('Encounter', [['patient', `Patient/${p.id}`], ['date', `ge${formatDate(dayNumber(start.slice(0, 10)) - 365)}`], ['_sort', '-date']]);
    },
  },
  {
    name: 'condition-patient-active',
    title: "A patient's active conditions (`patient`, `clinical-status`)",
    path: (rng, f) => search('Condition', [['patient', `Patient/${f.patient(rng).id}`], ['clinical-status', 'active']]),
  },
  {
    name: 'condition-code-count',
    title: 'How many active conditions of a diagnosis (`code`, `clinical-status`, `_summary=count`)',
    path: (rng, f) => search('Condition', [['code', `${CS.icd10Cn}|${f.condition(rng).code}`], ['clinical-status', 'active'], ['_summary', 'count']]),
  },
  {
    name: 'report-patient-include',
    title: "A patient's lab reports with their results (`patient`, `_include=DiagnosticReport:result`)",
    path: (rng, f) => {
      const p = f.patient(rng, (x) => x.reports.length > 0);
      return search('DiagnosticReport', [['patient', `Patient/${p.id}`], ['_include', 'DiagnosticReport:result']]);
    },
  },
  {
    name: 'report-code-date',
    title: 'Lab reports of a panel in a 7-day window (`code`, `date=ge…&date=lt…`)',
    path: (rng, f) => {
      const p = f.patient(rng, (x) => x.reports.length > 0);
      const r = rng.pick(p.reports);
      return search('DiagnosticReport', [['code', `${CS.loinc}|${r.code}`], ...window(r.date, 3)]);
    },
  },
];

/** The sampled patients, with what the queries draw from them. */
export class Facts {
  private readonly values = new Map<string, number[]>();
  /** LOINC codes by how many sampled results have them, most first. */
  private readonly codesByUse: string[];

  constructor(private readonly patients: readonly PatientFacts[]) {
    for (const o of patients.flatMap((p) => p.observations)) {
      const list = this.values.get(o.code) ?? [];
      list.push(o.value);
      this.values.set(o.code, list);
    }
    for (const list of this.values.values()) list.sort((a, b) => a - b);
    this.codesByUse = [...this.values.keys()].sort((a, b) => (this.values.get(b)?.length ?? 0) - (this.values.get(a)?.length ?? 0));
  }

  /** A sampled patient, one that `has` what the query needs when given. */
  patient(rng: Random, has: (p: PatientFacts) => boolean = () => true): PatientFacts {
    const eligible = this.patients.filter(has);
    if (eligible.length === 0) throw new Error('no sampled patient has what the query needs');
    return rng.pick(eligible);
  }

  observation(rng: Random): PatientFacts['observations'][number] {
    return rng.pick(this.patient(rng, (p) => p.observations.length > 0).observations);
  }

  condition(rng: Random): PatientFacts['conditions'][number] {
    return rng.pick(this.patient(rng, (p) => p.conditions.length > 0).conditions);
  }

  /** One of the three most frequent LOINC codes: deep paging needs many results. */
  commonCode(rng: Random): string {
    return rng.pick(this.codesByUse.slice(0, 3));
  }

  /** The `q` quantile of the sampled results of `code`. */
  percentile(code: string, q: number): number {
    const list = this.values.get(code) ?? [];
    return list[Math.min(list.length - 1, Math.floor(q * list.length))] ?? 0;
  }
}

/** The path of a search; keys are written as they are (`_has:…`, `subject:Patient.identifier`), values encoded. */
function search(type: string, params: [string, string][]): string {
  return `/fhir/${type}?${params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&')}`;
}

/** `date=ge…&date=lt…` for the days around a dateTime's day, `days` before and after it. */
function window(dateTime: string, days: number): [string, string][] {
  const day = dayNumber(dateTime.slice(0, 10));
  return [['date', `ge${formatDate(day - days)}`], ['date', `lt${formatDate(day + days)}`]];
}

/** The stream of draw `n` of a query: the same in every run. */
export function drawStream(phase: string, query: string, n: number): Random {
  return new Random('bench-search', phase, query, n);
}
