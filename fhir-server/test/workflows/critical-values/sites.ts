/**
 * Two (three) organisations of a county medical alliance (县域医共体) with their own users, for the
 * workflow tests: the county hospital (县人民医院: laboratory and imaging centre, reads for the
 * clinics), the township clinic that orders (城关镇卫生院, part of the alliance), and another clinic
 * (河口乡卫生院) whose users must not act on the first clinic's alerts. Each user is a real account
 * with a real token; their Practitioners are the ones the server created for the accounts.
 */
import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import { USERNAME_SYSTEM } from '../../../src/auth/registration.js';
import { backendToken, bearer, TEST_PASSWORD, userToken, type AuthTestServer } from '../../support/auth.js';
import { call, type Reply } from '../../support/http.js';

export const COUNTY = 'Organization/county-hospital';
export const CLINIC = 'Organization/township-clinic';
export const OTHER = 'Organization/other-clinic';
export const PATIENT = 'Patient/wang-fang';
export const OTHER_PATIENT = 'Patient/li-qiang';
/** The clinic's administrative contact: whom an escalation names. */
export const CLINIC_ADMIN_PHONE = '0571-88886666';

export const SITE_USERS = [
  { username: 'county-lab', name: '张检验', password: TEST_PASSWORD, roles: ['clinician'], organisation: COUNTY },
  { username: 'county-reader', name: '赵影像', password: TEST_PASSWORD, roles: ['radiologist'], organisation: COUNTY },
  { username: 'clinic-doctor', name: '李医生', password: TEST_PASSWORD, roles: ['clinician'], organisation: CLINIC },
  { username: 'other-doctor', name: '陈医生', password: TEST_PASSWORD, roles: ['clinician'], organisation: OTHER },
] as const;

export type SiteUser = (typeof SITE_USERS)[number]['username'];

export interface Sites {
  /** A backend client without roles (scopes only), for fixtures. */
  setup: Record<string, string>;
  tokens: Record<SiteUser, Record<string, string>>;
  practitioner: Record<SiteUser, string>;
  /** PractitionerRole of the clinic doctor at the clinic, and of the other doctor at the other clinic. */
  clinicRole: string;
  otherRole: string;
}

export async function put(server: AuthTestServer, headers: Record<string, string>, resource: { resourceType: string; id: string } & Record<string, unknown>): Promise<Reply> {
  const reply = await call(server.base, 'PUT', `${resource.resourceType}/${resource.id}`, resource, headers);
  if (reply.status >= 300) throw new Error(`PUT ${resource.resourceType}/${resource.id}: ${reply.status} ${reply.text}`);
  return reply;
}

export async function setupSites(server: AuthTestServer): Promise<Sites> {
  const { accessToken } = await backendToken(server, { scopes: 'system/*.cruds' });
  const setup = bearer(accessToken);
  await put(server, setup, { resourceType: 'Organization', id: 'county-hospital', active: true, name: '县人民医院' });
  await put(server, setup, {
    resourceType: 'Organization',
    id: 'township-clinic',
    active: true,
    name: '城关镇卫生院',
    partOf: { reference: COUNTY },
    contact: [{ purpose: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/contactentity-type', code: 'ADMIN' }] }, name: { text: '医务科' }, telecom: [{ system: 'phone', value: CLINIC_ADMIN_PHONE }] }],
  });
  await put(server, setup, { resourceType: 'Organization', id: 'other-clinic', active: true, name: '河口乡卫生院' });
  const { tokens, practitioner } = await signIn(server);
  for (const user of SITE_USERS) {
    const p = (await call(server.base, 'GET', practitioner[user.username], undefined, setup)).body as Practitioner;
    // The publisher's telephone comes from their Practitioner.
    await put(server, setup, { ...p, id: p.id as string, telecom: [{ system: 'phone', value: `1380000${String(SITE_USERS.indexOf(user)).padStart(4, '0')}` }] });
  }
  await put(server, setup, { resourceType: 'PractitionerRole', id: 'clinic-doctor-role', active: true, practitioner: { reference: practitioner['clinic-doctor'] }, organization: { reference: CLINIC } });
  await put(server, setup, { resourceType: 'PractitionerRole', id: 'other-doctor-role', active: true, practitioner: { reference: practitioner['other-doctor'] }, organization: { reference: OTHER } });
  await put(server, setup, { resourceType: 'Patient', id: 'wang-fang', name: [{ text: '王芳', family: '王', given: ['芳'] }], gender: 'female', birthDate: '1962-04-18', identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '330102196204181228' }], managingOrganization: { reference: CLINIC } });
  await put(server, setup, { resourceType: 'Patient', id: 'li-qiang', name: [{ text: '李强' }], gender: 'male', birthDate: '1970-01-02', managingOrganization: { reference: OTHER } });
  return { setup, tokens, practitioner, clinicRole: 'PractitionerRole/clinic-doctor-role', otherRole: 'PractitionerRole/other-doctor-role' };
}

/** Tokens of the site users, and their Practitioners (on a server whose data is already set up, e.g. after a restart). */
export async function signIn(server: AuthTestServer): Promise<Pick<Sites, 'tokens' | 'practitioner'>> {
  const tokens = {} as Sites['tokens'];
  const practitioner = {} as Sites['practitioner'];
  for (const user of SITE_USERS) {
    const reply = await userToken(server, { username: user.username, scopes: 'openid fhirUser user/*.cruds' });
    if (reply.status !== 200) throw new Error(`token of ${user.username}: ${reply.status} ${JSON.stringify(reply.body)}`);
    tokens[user.username] = bearer(reply.body.access_token as string);
    const found = await call(server.base, 'GET', `Practitioner?identifier=${encodeURIComponent(`${USERNAME_SYSTEM}|${user.username}`)}`, undefined, tokens[user.username]);
    practitioner[user.username] = `Practitioner/${(found.body as Bundle<Practitioner>).entry?.[0]?.resource?.id as string}`;
  }
  return { tokens, practitioner };
}

/** An order of a clinic to the county hospital (the reading / testing centre). */
export async function order(server: AuthTestServer, sites: Sites, id: string, o: { requester: string; patient: string; code: string; display: string }): Promise<string> {
  await put(server, sites.setup, {
    resourceType: 'ServiceRequest',
    id,
    status: 'active',
    intent: 'order',
    code: { coding: [{ system: 'http://loinc.org', code: o.code, display: o.display }] },
    subject: { reference: o.patient },
    requester: { reference: o.requester },
    performer: [{ reference: COUNTY }],
    authoredOn: new Date().toISOString(),
  });
  return `ServiceRequest/${id}`;
}

