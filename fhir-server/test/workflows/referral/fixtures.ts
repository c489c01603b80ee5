import { residentIdCheckChar } from '@qiao/cda-adapters';
import { adminToken, bearer, userToken, type AuthTestServer } from '../../support/auth.js';
import { call, type Reply } from '../../support/http.js';

/**
 * Two organisations of a county medical community — a township health centre (乡镇卫生院, primary
 * care) and the county hospital (县医院, secondary) — plus one outside the referral, each with its
 * own users: doctors who refer and receive, and approvers (转诊审核人). Made through the REST API
 * with real tokens: the directory by the administrator, clinical data by the doctors, the county
 * hospital's slots by its appointment system (a backend client).
 */
export const TOWN = 'Organization/town';
export const COUNTY = 'Organization/county';
export const OTHER = 'Organization/other';
const STATUS = 'https://qiao.health/fhir/CodeSystem/referral-status';
export const SETTINGS = 'https://qiao.health/fhir/StructureDefinition/referral-settings';
const LEVEL = 'https://qiao.health/fhir/CodeSystem/care-level';
const PASSWORD = 'Qiao-test-2026!';

export const REFERRAL_USERS = [
  { username: 'town-doctor', name: '向塘镇卫生院 王医生', password: PASSWORD, roles: ['clinician'], organisation: TOWN },
  { username: 'town-approver', name: '向塘镇卫生院 审核人', password: PASSWORD, roles: ['clinician'], organisation: TOWN },
  { username: 'county-doctor', name: '县人民医院 李医生', password: PASSWORD, roles: ['clinician'], organisation: COUNTY },
  { username: 'county-approver', name: '县人民医院 转诊办', password: PASSWORD, roles: ['clinician'], organisation: COUNTY },
  { username: 'other-doctor', name: '邻县医院 赵医生', password: PASSWORD, roles: ['clinician'], organisation: OTHER },
];

export type Headers = Record<string, string>;
export interface Actors {
  town: Headers;
  townApprover: Headers;
  county: Headers;
  countyApprover: Headers;
  other: Headers;
  admin: Headers;
  practitioner: Record<string, string>;
}

async function must(reply: Promise<Reply>, status: number[] = [200, 201]): Promise<Reply> {
  const r = await reply;
  if (!status.includes(r.status)) throw new Error(`${r.status}: ${r.text.slice(0, 600)}`);
  return r;
}
export { must };

export function organisation(id: string, name: string, level: string, settings?: { outgoingApproval?: boolean; incomingApproval?: boolean; modes?: string[]; contacts?: string[] }) {
  return {
    resourceType: 'Organization',
    id,
    active: true,
    name,
    type: [{ coding: [{ system: LEVEL, code: level }] }],
    identifier: [{ system: 'urn:oid:2.16.156.10011.1.5', value: `12360121MB${id.toUpperCase().padEnd(7, '0').slice(0, 7)}X` }],
    ...(settings
      ? {
          extension: [
            {
              url: SETTINGS,
              extension: [
                ...(settings.outgoingApproval !== undefined ? [{ url: 'outgoingApproval', valueBoolean: settings.outgoingApproval }] : []),
                ...(settings.incomingApproval !== undefined ? [{ url: 'incomingApproval', valueBoolean: settings.incomingApproval }] : []),
                ...(settings.modes ?? []).map((m) => ({ url: 'mode', valueCode: m })),
                ...(settings.contacts ?? []).map((c) => ({ url: 'contact', valueReference: { reference: c } })),
              ],
            },
          ],
        }
      : {}),
  };
}

export async function setUp(server: AuthTestServer): Promise<Actors> {
  const token = async (username: string) => bearer((await userToken(server, { username, scopes: 'openid fhirUser user/*.cruds' })).body.access_token as string);
  const admin = bearer(await adminToken(server));
  const practitioner: Record<string, string> = {};
  for (const u of REFERRAL_USERS) {
    const found = await must(call(server.base, 'GET', `Practitioner?identifier=https://qiao.health/fhir/sid/username|${u.username}`, undefined, admin));
    practitioner[u.username] = `Practitioner/${found.body.entry[0].resource.id as string}`;
  }
  await must(call(server.base, 'PUT', 'Organization/town', organisation('town', '南昌县向塘镇卫生院', 'primary', { contacts: [practitioner['town-approver'] as string] }), admin));
  await must(call(server.base, 'PUT', 'Organization/county', organisation('county', '南昌县人民医院', 'secondary', { contacts: [practitioner['county-approver'] as string] }), admin));
  await must(call(server.base, 'PUT', 'Organization/other', organisation('other', '邻县人民医院', 'secondary'), admin));
  return {
    town: await token('town-doctor'),
    townApprover: await token('town-approver'),
    county: await token('county-doctor'),
    countyApprover: await token('county-approver'),
    other: await token('other-doctor'),
    admin,
    practitioner,
  };
}

let serial = 0;
export function residentId(): string {
  const first17 = `36012119800101${String(100 + (serial++ % 900)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

/** A patient of `managing` with one diagnosis and two lab results, made by that organisation's doctor; ids back. */
export async function patientWithRecord(base: string, doctor: Headers, managing: string): Promise<{ patient: string; condition: string; lab: string; otherLab: string }> {
  const patient = await must(
    call(base, 'POST', 'Patient', {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: residentId() }],
      name: [{ text: '张三', family: '张', given: ['三'] }],
      gender: 'male',
      birthDate: '1980-01-01',
      managingOrganization: { reference: managing },
    }, doctor),
  );
  const subject = { reference: `Patient/${patient.body.id as string}` };
  const condition = await must(
    call(base, 'POST', 'Condition', {
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.3.11', code: 'I10.x00', display: '高血压' }], text: '高血压' },
      subject,
      recordedDate: '2026-12-01',
    }, doctor),
  );
  const observation = (code: string, display: string, value: number) => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code, display }] },
    subject,
    effectiveDateTime: '2026-12-01T08:00:00+08:00',
    valueQuantity: { value, unit: 'ng/mL', system: 'http://unitsofmeasure.org', code: 'ng/mL' },
  });
  const lab = await must(call(base, 'POST', 'Observation', observation('10839-9', 'Troponin I.cardiac', 2.5), doctor));
  const otherLab = await must(call(base, 'POST', 'Observation', observation('2345-7', 'Glucose', 5.1), doctor));
  return { patient: subject.reference, condition: `Condition/${condition.body.id as string}`, lab: `Observation/${lab.body.id as string}`, otherLab: `Observation/${otherLab.body.id as string}` };
}

/** The referral as one transaction Bundle: its ServiceRequest (what travels in supportingInfo) and its Task, in draft. */
export function referralBundle(o: { patient: string; doctor: string; from: string; to: string; type: string; reason: string; supportingInfo: string[]; state?: string; taskStatus?: string }) {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:2b7c3f1e-0d4a-4c1b-9b8e-000000000001',
        resource: {
          resourceType: 'ServiceRequest',
          status: 'draft',
          intent: 'order',
          category: [{ coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] }],
          code: { coding: [{ system: 'https://qiao.health/fhir/CodeSystem/referral-type', code: o.type }] },
          subject: { reference: o.patient },
          requester: { reference: o.doctor },
          performer: [{ reference: o.to }],
          reasonCode: [{ text: o.reason }],
          supportingInfo: o.supportingInfo.map((reference) => ({ reference })),
          authoredOn: new Date().toISOString(),
        },
        request: { method: 'POST', url: 'ServiceRequest' },
      },
      {
        fullUrl: 'urn:uuid:2b7c3f1e-0d4a-4c1b-9b8e-000000000002',
        resource: {
          resourceType: 'Task',
          status: o.taskStatus ?? 'draft',
          intent: 'order',
          code: { coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] },
          businessStatus: { coding: [{ system: STATUS, code: o.state ?? 'draft' }] },
          basedOn: [{ reference: 'urn:uuid:2b7c3f1e-0d4a-4c1b-9b8e-000000000001' }],
          focus: { reference: 'urn:uuid:2b7c3f1e-0d4a-4c1b-9b8e-000000000001' },
          for: { reference: o.patient },
          requester: { reference: o.from },
          owner: { reference: o.to },
        },
        request: { method: 'POST', url: 'Task' },
      },
    ],
  };
}

/** Creates a referral; the ids of its ServiceRequest and Task. */
export async function refer(base: string, doctor: Headers, o: Parameters<typeof referralBundle>[0]): Promise<{ request: string; task: string }> {
  const reply = await must(call(base, 'POST', '', referralBundle(o), doctor), [200]);
  const [request, task] = (reply.body.entry as { response: { location: string } }[]).map((e) => e.response.location.split('/_history')[0] as string);
  return { request: request as string, task: task as string };
}

export function parameters(values: Record<string, string>) {
  return {
    resourceType: 'Parameters',
    parameter: Object.entries(values).map(([name, value]) =>
      /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(value) ? { name, valueReference: { reference: value } } : name === 'action' ? { name, valueCode: value } : { name, valueString: value },
    ),
  };
}

/** `$transition`; the reply (Task or OperationOutcome). */
export function step(base: string, who: Headers, task: string, values: Record<string, string>): Promise<Reply> {
  return call(base, 'POST', `${task}/$transition`, parameters(values), who);
}

export const statusOf = (task: { businessStatus?: { coding?: { system: string; code: string }[] } }) => task.businessStatus?.coding?.find((c) => c.system === STATUS)?.code;
export const STATUS_SYSTEM = STATUS;
