/**
 * The cancer registry's shapes as the app reads them (docs/registries.md §1): the case Condition,
 * its review Task and the review states. The server decides every rule; these are only the names.
 */
import type { FhirApi } from '../fhir-api.js';
import { t, type MessageId } from '../i18n.js';

export const REGISTRY_TAG = 'https://qiao.health/fhir/CodeSystem/registry|cancer';
export const TASK_CODE = 'https://qiao.health/fhir/CodeSystem/registry-task|registry-review';
export const REVIEW_STATE_SYSTEM = 'https://qiao.health/fhir/CodeSystem/registry-review-state';
const ICD10_SYSTEMS = ['urn:oid:2.16.156.10011.2.3.3.11', 'http://hl7.org/fhir/sid/icd-10'];
const EXT = 'https://qiao.health/fhir/StructureDefinition/';

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface Reference {
  reference?: string;
  display?: string;
}
interface Extension {
  url: string;
  valueCodeableConcept?: { coding?: Coding[] };
  valueReference?: Reference;
  valueInteger?: number;
}
export interface Condition {
  resourceType: 'Condition';
  id: string;
  meta?: { versionId?: string; lastUpdated?: string };
  extension?: Extension[];
  code?: { coding?: Coding[]; text?: string };
  bodySite?: { coding?: Coding[] }[];
  subject?: Reference;
  onsetDateTime?: string;
  recordedDate?: string;
  identifier?: { value?: string }[];
  stage?: { assessment?: Reference[] }[];
  evidence?: { detail?: Reference[] }[];
}
export interface Task {
  resourceType: 'Task';
  id: string;
  meta?: { versionId?: string };
  status?: string;
  businessStatus?: { coding?: Coding[]; text?: string };
  statusReason?: { text?: string };
  focus?: Reference;
  for?: Reference;
  requester?: Reference;
  authoredOn?: string;
}
export interface Patient {
  resourceType: 'Patient';
  id: string;
  identifier?: { system?: string; value?: string }[];
  gender?: string;
  birthDate?: string;
}
export interface Provenance {
  resourceType: 'Provenance';
  id: string;
  recorded?: string;
  activity?: { coding?: Coding[] };
  reason?: { text?: string }[];
  agent?: { who?: Reference; onBehalfOf?: Reference }[];
}
export interface Issue {
  severity?: string;
  code?: string;
  diagnostics?: string;
  details?: { text?: string; coding?: Coding[] };
  expression?: string[];
}
export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue?: Issue[];
}
export interface Bundle<T> {
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: { resource?: T; search?: { mode?: string } }[];
}

export const REVIEW_STATES = ['pending-hospital', 'pending-county', 'pending-city', 'confirmed', 'returned', 'rejected'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** The next level a confirmation moves a case to (docs/registries.md §1.3). */
export const CONFIRM_NEXT: Partial<Record<ReviewState, ReviewState>> = {
  'pending-hospital': 'pending-county',
  'pending-county': 'pending-city',
  'pending-city': 'confirmed',
};

export const stateLabel = (state: string | undefined): MessageId => (REVIEW_STATES.includes(state as ReviewState) ? (`reg_state_${state}` as MessageId) : 'reg_state_unknown');

export const reviewState = (task: Task | undefined): string | undefined => task?.businessStatus?.coding?.find((c) => c.system === REVIEW_STATE_SYSTEM)?.code;

const ext = (c: Condition, name: string) => c.extension?.find((e) => e.url === `${EXT}${name}`);

/** The fields the list and the detail show, each a plain string ('' when the case lacks it). */
export function caseFields(c: Condition) {
  const code = (codings: Coding[] | undefined, systems?: string[]) => codings?.find((x) => !systems || systems.includes(x.system ?? ''))?.code ?? '';
  return {
    icd10: code(c.code?.coding, ICD10_SYSTEMS),
    topography: code(c.bodySite?.[0]?.coding),
    morphology: code(ext(c, 'cancer-morphology-behaviour')?.valueCodeableConcept?.coding),
    basis: code(ext(c, 'cancer-diagnosis-basis')?.valueCodeableConcept?.coding),
    diagnosed: (c.onsetDateTime ?? c.recordedDate ?? '').slice(0, 10),
    recorded: (c.recordedDate ?? '').slice(0, 10),
    institution: ext(c, 'registry-reporting-organization')?.valueReference?.reference ?? '',
    sequence: ext(c, 'registry-primary-sequence')?.valueInteger?.toString() ?? '',
    duplicateOf: ext(c, 'registry-duplicate-of')?.valueReference?.reference ?? '',
  };
}

/** The patient as the analyst's token shows them: the research pseudonym (shortened), sex, birth date. */
export function maskedPatient(p: Patient | undefined, ref: string | undefined): string {
  if (!p) return ref ?? '';
  const id = p.identifier?.[0]?.value ?? p.id;
  const short = id.length > 16 ? `${id.slice(0, 12)}…` : id;
  const sex = p.gender === 'male' ? t('sexMale') : p.gender === 'female' ? t('sexFemale') : p.gender === 'other' ? t('sexOther') : p.gender ? t('sexUnknown') : undefined;
  return [short, sex, p.birthDate].filter(Boolean).join(' · ');
}

/** Every issue of an OperationOutcome as its text (the server writes them `中文 | English`). */
export function issueTexts(outcome: unknown): string[] {
  const issues = (outcome as OperationOutcome | undefined)?.issue ?? [];
  return issues.map((i) => i.details?.text ?? i.diagnostics ?? i.code ?? '').filter(Boolean);
}

/** Resources by `Type/id`, fetched in one search per type (`_id=a,b,…`). */
export async function byReference<T extends { resourceType: string; id: string }>(fhir: FhirApi, type: string, refs: (string | undefined)[]): Promise<Map<string, T>> {
  const ids = [...new Set(refs.filter((r): r is string => !!r?.startsWith(`${type}/`)).map((r) => r.slice(type.length + 1)))];
  if (ids.length === 0) return new Map();
  const found = await fhir.get<Bundle<T>>(`${type}?_id=${ids.map(encodeURIComponent).join(',')}&_count=${ids.length}`);
  return new Map((found.entry ?? []).flatMap((e) => (e.resource ? [[`${type}/${e.resource.id}`, e.resource] as const] : [])));
}
