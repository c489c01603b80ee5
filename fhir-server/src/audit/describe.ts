import type { Bundle, Coding } from '@medplum/fhirtypes';
import { FhirError, render } from '../errors/fhir-error.js';
import { parsePath } from '../router/path.js';
import { RawContent, RawJson, type FhirRequest, type FhirResponse, type ParsedPath } from '../router/types.js';
import { AUDIT, REST_TYPE, type AuditAction, type AuditData, type AuditFacts, type AuditOutcome } from './event.js';
import { currentOrigin, takeNotes } from './scope.js';

/** At most this many patients are named in one record (a search page over many patients). */
const MAX_PATIENTS = 50;
const PATIENT_REFERENCE = /"reference"\s*:\s*"Patient\/([A-Za-z0-9\-.]{1,64})"/g;
const PATIENT_ID = /^\{"resourceType":"Patient","id":"([A-Za-z0-9\-.]{1,64})"/;

const WRITES = new Set(['create', 'update', 'transaction', 'batch']);

interface Interaction {
  code: string;
  action: AuditAction;
}

/** The FHIR interaction of a request (restful-interaction code) and its BALP action. */
function interactionOf(req: FhirRequest, path: ParsedPath | undefined): Interaction {
  const m = req.method === 'HEAD' ? 'GET' : req.method;
  if (!path) return { code: m === 'GET' ? 'read' : 'operation', action: m === 'GET' ? 'R' : 'E' };
  if (path.keyword?.startsWith('$')) return { code: 'operation', action: 'E' };
  if (path.keyword === 'metadata') return { code: 'capabilities', action: 'R' };
  if (path.keyword === '_history') {
    if (path.versionId) return { code: 'vread', action: 'R' };
    return { code: path.id ? 'history-instance' : path.type ? 'history-type' : 'history-system', action: 'R' };
  }
  if (!path.type && !path.compartment && !path.keyword && m === 'POST') {
    const type = (req.body as Bundle | undefined)?.type;
    return { code: type === 'batch' ? 'batch' : 'transaction', action: 'E' };
  }
  if (m === 'GET' && path.id && !path.compartment) return { code: 'read', action: 'R' };
  if (m === 'GET' || path.keyword === '_search') return { code: path.type || path.compartment ? 'search-type' : 'search-system', action: 'E' };
  if (m === 'POST') return { code: 'create', action: 'C' };
  if (m === 'PUT') return { code: 'update', action: 'U' };
  if (m === 'PATCH') return { code: 'patch', action: 'U' };
  return { code: 'delete', action: 'D' };
}

function outcomeOf(status: number): AuditOutcome {
  return status < 400 ? '0' : status < 500 ? '4' : '8';
}

/** Patients a stored text concerns: a Patient itself, and every Patient it references. */
function patientsIn(text: string, into: Set<string>): void {
  const own = PATIENT_ID.exec(text);
  if (own?.[1]) into.add(own[1]);
  for (const m of text.matchAll(PATIENT_REFERENCE)) {
    if (into.size >= MAX_PATIENTS) return;
    into.add(m[1] as string);
  }
}

function patientFromQuery(req: FhirRequest, into: Set<string>): void {
  for (const [name, value] of req.query) {
    const base = name.split(':')[0];
    if (base !== 'patient' && base !== 'subject' && !(name === '_id' && req.path.startsWith('Patient'))) continue;
    for (const v of value.split(',')) {
      const id = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(v)?.[1] ?? (base === 'patient' || name === '_id' ? /^[A-Za-z0-9\-.]{1,64}$/.exec(v)?.[0] : undefined);
      if (id) into.add(id);
    }
  }
}

/** The resources a response carries or names: a stored version, the entries of a Bundle. */
function responseTexts(res: FhirResponse): { texts: string[]; references: string[] } {
  const texts: string[] = [];
  const references: string[] = [];
  const v = res.version;
  if (v) references.push(`${v.resourceType}/${v.id}`);
  if (v?.json) texts.push(v.json);
  const body = res.body;
  if (!body || body instanceof RawContent) return { texts, references };
  if (body instanceof RawJson) {
    if (!v) texts.push(body.text);
    return { texts, references };
  }
  if (body.resourceType === 'Bundle') {
    for (const entry of (body as Bundle).entry ?? []) {
      const r = entry.resource as unknown;
      if (r instanceof RawJson) texts.push(r.text);
      else if (r) texts.push(JSON.stringify(r));
      const location = entry.response?.location;
      if (location) references.push(location.replace(/\/_history\/[^/]+$/, ''));
    }
  }
  return { texts, references };
}

function queryText(req: FhirRequest): string {
  const query = req.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${req.method} ${req.path}${query ? `?${query}` : ''}`;
}

/**
 * The facts of one FHIR interaction: who (the request's principal and the HTTP origin of the
 * request it belongs to), what (interaction, action, the resources and patients it touched,
 * the query of a search), and how it ended (`error` for a refusal or a failure).
 */
export function describeInteraction(req: FhirRequest, res: FhirResponse | undefined, error?: unknown, before?: string): AuditFacts {
  let path: ParsedPath | undefined;
  try {
    path = parsePath(req.path);
  } catch {
    path = undefined;
  }
  const interaction = interactionOf(req, path);
  const subtype: Coding[] = [{ system: AUDIT.interaction, code: interaction.code }];
  if (path?.keyword?.startsWith('$')) subtype.push({ system: AUDIT.qiaoEvent, code: path.keyword, display: `operation ${path.keyword}` });
  const patients = new Set<string>();
  const data: AuditData[] = [];
  if (path?.compartment?.type === 'Patient') patients.add(path.compartment.id);
  if (path?.type === 'Patient' && path.id) patients.add(path.id);
  patientFromQuery(req, patients);
  if (interaction.code.startsWith('search') || interaction.code === 'operation' || req.query.length) data.push({ query: queryText(req) });
  if (path?.type && path.id) data.push({ reference: `${path.type}/${path.id}` });
  if (!path?.type && path?.compartment) data.push({ reference: `${path.compartment.type}/${path.compartment.id}` });
  if (res) {
    const { texts, references } = responseTexts(res);
    for (const text of texts) patientsIn(text, patients);
    for (const ref of references) if (!data.some((d) => d.reference === ref)) data.push({ reference: ref });
  }
  // What a write sent (also when refused: an attempt on a patient's data is about that patient), what a delete removed.
  if (WRITES.has(interaction.code) && typeof req.body === 'object' && req.body !== null) patientsIn(JSON.stringify(req.body), patients);
  if (before) patientsIn(before, patients);
  // Audit records name the patients they are about; reading them is an access to the audit trail, not to those patients.
  if (path?.type === 'AuditEvent') patients.clear();
  for (const note of takeNotes()) {
    subtype.push(...(note.subtype ?? []));
    data.push(...(note.data ?? []));
  }
  const status = error ? statusOf(error) : (res?.status ?? 200);
  const origin = currentOrigin();
  return {
    type: REST_TYPE,
    subtype,
    action: interaction.action,
    outcome: outcomeOf(status),
    ...(error ? { outcomeDesc: `${status} ${describeError(error)}` } : {}),
    principal: req.principal,
    ...(origin ? { origin } : {}),
    patients: [...patients].slice(0, MAX_PATIENTS),
    data,
  };
}

export function statusOf(error: unknown): number {
  return error instanceof FhirError ? error.status : 500;
}

function describeError(error: unknown): string {
  if (!(error instanceof FhirError)) return '服务器内部错误 | Internal server error';
  const first = error.issues[0];
  if (!first) return error.message;
  const text = render(first.messageId, first.params);
  return `${text.zh} | ${text.en}${first.expression ? ` (${first.expression})` : ''}`;
}
