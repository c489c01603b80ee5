import type { Bundle, Condition, Organization, Patient, Resource } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../../auth/principal.js';
import { toPlain } from '../../http/serialize.js';
import { handle } from '../../router/router.js';
import { RawContent, type Context, type FhirRequest } from '../../router/types.js';
import { SETTINGS_EXTENSION, LEVEL_SYSTEM, REFERRAL_CODING, STATUS_SYSTEM, TYPE_SYSTEM, conformanceResources } from './vocabulary.js';

/** The township health centre and county hospital of the demo region that the example referral is between. */
const TOWNSHIP = '南昌县向塘镇卫生院';
const COUNTY = '南昌县人民医院';

type Ask = Omit<FhirRequest, 'query' | 'prefer' | 'baseUrl' | 'principal'> & { query?: [string, string][] };

/**
 * Demo data for two-way referral: the code systems and search parameter it uses, care levels and
 * referral settings on one township health centre and its county hospital, and one upward
 * referral of a township patient with a diagnosis attached, submitted and waiting for the
 * township's approval — so `npm start` shows a referral to work on.
 */
export async function loadReferralDemo(ctx: Context, baseUrl: string): Promise<void> {
  const ask = async (r: Ask): Promise<Record<string, unknown>> => {
    const res = await handle(ctx, { query: [], prefer: {}, baseUrl, principal: SYSTEM_PRINCIPAL, ...r });
    return res.body && !(res.body instanceof RawContent) ? (toPlain(res.body) as unknown as Record<string, unknown>) : {};
  };
  const first = async <T>(type: string, query: [string, string][]): Promise<T | undefined> => ((await ask({ method: 'GET', path: type, query })).entry as { resource: T }[] | undefined)?.[0]?.resource;
  for (const r of conformanceResources()) await ask({ method: 'PUT', path: `${r.resourceType}/${r.id as string}`, body: r });
  const township = await first<Organization>('Organization', [['name:exact', TOWNSHIP]]);
  const county = await first<Organization>('Organization', [['name:exact', COUNTY]]);
  if (!township?.id || !county?.id) return;
  for (const [org, level] of [[township, 'primary'], [county, 'secondary']] as const) {
    const typed: Organization = {
      ...org,
      type: [...(org.type ?? []), { coding: [{ system: LEVEL_SYSTEM, code: level }] }],
      extension: [...(org.extension ?? []), { url: SETTINGS_EXTENSION, extension: [{ url: 'outgoingApproval', valueBoolean: true }, { url: 'incomingApproval', valueBoolean: true }] }],
    };
    await ask({ method: 'PUT', path: `Organization/${org.id as string}`, body: typed });
  }
  const patient = await first<Patient>('Patient', [['organization', `Organization/${township.id}`]]);
  if (!patient?.id) return;
  const condition = await first<Condition>('Condition', [['subject', `Patient/${patient.id}`]]);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
        resource: {
          resourceType: 'ServiceRequest',
          status: 'active',
          intent: 'order',
          category: [{ coding: [REFERRAL_CODING] }],
          code: { coding: [{ system: TYPE_SYSTEM, code: 'outpatient', display: '门诊转诊' }] },
          subject: { reference: `Patient/${patient.id}` },
          performer: [{ reference: `Organization/${county.id}` }],
          reasonCode: [{ text: '病情需上级医院进一步诊治 | Needs further diagnosis at the county hospital' }],
          ...(condition?.id ? { supportingInfo: [{ reference: `Condition/${condition.id}` }] } : {}),
        },
        request: { method: 'POST', url: 'ServiceRequest' },
      },
      {
        resource: {
          resourceType: 'Task',
          status: 'requested',
          intent: 'order',
          code: { coding: [REFERRAL_CODING] },
          businessStatus: { coding: [{ system: STATUS_SYSTEM, code: 'awaiting-applicant-approval' }] },
          basedOn: [{ reference: 'urn:uuid:6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' }],
          focus: { reference: 'urn:uuid:6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' },
          for: { reference: `Patient/${patient.id}` },
          requester: { reference: `Organization/${township.id}` },
          owner: { reference: `Organization/${county.id}` },
        },
        request: { method: 'POST', url: 'Task' },
      },
    ],
  };
  await ask({ method: 'POST', path: '', body: bundle as Resource });
}
