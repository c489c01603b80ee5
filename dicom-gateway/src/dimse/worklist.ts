/**
 * Modality Worklist (PS3.4 K.6) answered from FHIR: each active imaging ServiceRequest is one
 * Scheduled Procedure Step, its subject Patient the patient (the IHE RAD-5 mapping, read the other way).
 *
 * A ServiceRequest is an imaging one when its category is SNOMED CT 363679005 (Imaging) or it
 * carries a DICOM modality code (DCM system) in `code`, `category` or `orderDetail`. No FHIR element
 * names the station that will perform it, so items have no Scheduled Station AE Title and are
 * offered to every station, whatever title a modality asks with.
 */
import { createHash } from 'node:crypto';
import type { PersonName } from '../charset/index.js';
import type { FhirJson, FhirPort } from '../ports.js';
import { matchString, project, sequenceItems, type Naturalized } from './identifier.js';
import { matchesIdentifier } from './match.js';

export type FhirSearch = Pick<FhirPort, 'search'>;

const SNOMED = 'http://snomed.info/sct';
const IMAGING = '363679005';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
interface Concept {
  coding?: Coding[];
  text?: string;
}
interface Identifier {
  system?: string;
  value?: string;
  type?: Concept;
}
interface HumanName {
  family?: string;
  given?: string[];
  text?: string;
}

const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const concepts = (sr: FhirJson, field: string): Concept[] => {
  const v = sr[field];
  return Array.isArray(v) ? (v as Concept[]) : v ? [v as Concept] : [];
};
const codings = (sr: FhirJson, ...fields: string[]): Coding[] => fields.flatMap((f) => concepts(sr, f).flatMap((c) => c.coding ?? []));

function isImaging(sr: FhirJson): boolean {
  return codings(sr, 'category').some((c) => c.system === SNOMED && c.code === IMAGING) || modality(sr) !== undefined;
}

function modality(sr: FhirJson): string | undefined {
  return codings(sr, 'code', 'orderDetail', 'category').find((c) => c.system === DCM && c.code && /^[A-Z]{2,6}$/.test(c.code))?.code;
}

const typed = (ids: Identifier[], code: string): Identifier | undefined => ids.find((i) => i.type?.coding?.some((c) => c.system === V2_0203 && c.code === code));

/** A stable Study Instance UID for an order that has none: 2.25 form of a hash of its id. */
function derivedStudyUid(id: string): string {
  const hex = createHash('sha256').update(`ServiceRequest/${id}`).digest('hex').slice(0, 32);
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

function studyUid(sr: FhirJson): string {
  const dicom = arr<Identifier>(sr.identifier).find((i) => i.system === 'urn:dicom:uid' && i.value);
  return dicom?.value?.replace(/^urn:oid:/, '') ?? derivedStudyUid(String(sr.id));
}

/** FHIR names to PN groups: names in Han characters are Ideographic, others Alphabetic. */
function personName(names: HumanName[]): PersonName | null {
  const name: PersonName = {};
  for (const n of names) {
    const text = n.family || n.given?.length ? `${n.family ?? ''}^${(n.given ?? []).join(' ')}`.replace(/\^$/, '') : (n.text ?? '');
    if (!text) continue;
    if (/[\u3400-\u9fff]/u.test(text)) name.Ideographic ??= text;
    else name.Alphabetic ??= text;
  }
  return name.Alphabetic || name.Ideographic ? name : null;
}

/** `2026-12-06T09:30:00+08:00` → date and time as written (the site's own clock, as a modality expects). */
function dateTime(value: unknown): { date?: string; time?: string } {
  if (typeof value !== 'string') return {};
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value);
  if (!m) return {};
  return { date: `${m[1]}${m[2]}${m[3]}`, ...(m[4] ? { time: `${m[4]}${m[5]}${m[6] ?? '00'}` } : {}) };
}

const clip = (s: string | undefined, n: number): string | undefined => (s === undefined ? undefined : s.slice(0, n));

export function worklistItem(sr: FhirJson, patient: FhirJson | undefined): Naturalized {
  const ids = arr<Identifier>(sr.identifier);
  const patientIds = arr<Identifier>(patient?.identifier);
  const patientId = typed(patientIds, 'MR') ?? patientIds[0];
  const code = concepts(sr, 'code')[0];
  const description = clip(code?.text ?? code?.coding?.[0]?.display, 64);
  const when = dateTime(sr.occurrenceDateTime ?? (sr.occurrencePeriod as { start?: string } | undefined)?.start);
  const requester = (sr.requester as { display?: string } | undefined)?.display;
  const gender = { male: 'M', female: 'F', other: 'O' }[String(patient?.gender)] ?? '';
  const id = clip(String(sr.id), 16);
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    AccessionNumber: clip((typed(ids, 'ACSN') ?? ids.find((i) => i.system !== 'urn:dicom:uid'))?.value, 16) ?? '',
    ReferringPhysicianName: requester ? personName([{ text: requester }]) : null,
    PatientName: personName(arr<HumanName>(patient?.name)),
    PatientID: clip(patientId?.value, 64) ?? '',
    IssuerOfPatientID: clip(patientId?.system, 64) ?? '',
    PatientBirthDate: typeof patient?.birthDate === 'string' ? patient.birthDate.replace(/-/g, '') : '',
    PatientSex: gender,
    StudyInstanceUID: studyUid(sr),
    RequestingPhysician: requester ? personName([{ text: requester }]) : null,
    RequestedProcedureID: id,
    RequestedProcedureDescription: description ?? '',
    ScheduledProcedureStepSequence: [
      {
        Modality: modality(sr) ?? '',
        ScheduledStationAETitle: '',
        ScheduledProcedureStepStartDate: when.date ?? '',
        ScheduledProcedureStepStartTime: when.time ?? '',
        ScheduledProcedureStepDescription: description ?? '',
        ScheduledProcedureStepID: id,
        ScheduledProcedureStepStatus: 'SCHEDULED',
      },
    ],
  };
}

/** The identifier without the station key: items here are not assigned to a station (see above). */
function withoutStation(identifier: Naturalized): Naturalized {
  const steps = sequenceItems(identifier.ScheduledProcedureStepSequence);
  if (!steps?.[0]) return identifier;
  const { ScheduledStationAETitle: _, ...step } = steps[0];
  return { ...identifier, ScheduledProcedureStepSequence: [step] };
}

/** FHIR date bounds for the step's start date, so only that day's orders are read. */
function occurrenceParams(identifier: Naturalized): [string, string][] {
  const step = sequenceItems(identifier.ScheduledProcedureStepSequence)?.[0];
  const value = step ? matchString(step.ScheduledProcedureStepStartDate) : undefined;
  if (!value) return [];
  const [from, to] = value.includes('-') ? value.split('-') : [value, value];
  const iso = (d: string): string => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
  const params: [string, string][] = [];
  if (from && /^\d{8}$/.test(from)) params.push(['occurrence', `ge${iso(from)}`]);
  if (to && /^\d{8}$/.test(to)) params.push(['occurrence', `le${iso(to)}`]);
  return params;
}

/** Worklist answers: items matching the identifier, cut to its keys; at most `limit` orders read. */
export async function findWorklist(fhir: FhirSearch, identifier: Naturalized, limit: number): Promise<Naturalized[]> {
  const orders = (await fhir.search('ServiceRequest', [['status', 'active'], ...occurrenceParams(identifier), ['_count', String(limit)]])).filter(isImaging);
  const patientIds = [...new Set(orders.map((sr) => (sr.subject as { reference?: string } | undefined)?.reference).filter((r): r is string => !!r?.startsWith('Patient/')))];
  const patients = patientIds.length ? await fhir.search('Patient', [['_id', patientIds.map((r) => r.slice('Patient/'.length)).join(',')], ['_count', String(patientIds.length)]]) : [];
  const byRef = new Map(patients.map((p) => [`Patient/${p.id}`, p]));
  const query = withoutStation(identifier);
  return orders
    .map((sr) => worklistItem(sr, byRef.get(String((sr.subject as { reference?: string } | undefined)?.reference))))
    .filter((item) => matchesIdentifier(query, item))
    .map((item) => ({ SpecificCharacterSet: 'ISO_IR 192', ...project(identifier, item) }));
}
