/**
 * Who ordered a result: the ServiceRequest it is based on (directly, or through the imaging study
 * it reports) and the organisation and practitioner behind the order's requester. Critical values
 * are sent there, and a signed report goes to that organisation's PACS.
 */
import type { DiagnosticReport, ImagingStudy, Observation, PractitionerRole, Reference, ServiceRequest } from '@medplum/fhirtypes';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { localReference, readResource, searchResources } from './fhir-calls.js';

export interface OrderingSite {
  serviceRequest: string;
  /** `Organization/…` of the requester, when it can be told. */
  organisation?: string;
  /** `Practitioner/…` or `PractitionerRole/…` of the requester. */
  practitioner?: string;
  /** The performer organisation named on the order (the reading or testing centre). */
  performer?: string;
}

/** The ServiceRequests a result is based on: its own `basedOn`, else its imaging studies'. */
export async function ordersOf(ctx: Context, q: Queryable, outer: FhirRequest, result: Observation | DiagnosticReport): Promise<string[]> {
  const own = (result.basedOn ?? []).flatMap((r) => localReference(r.reference, 'ServiceRequest') ?? []);
  if (own.length || result.resourceType !== 'DiagnosticReport') return own;
  const out: string[] = [];
  for (const ref of result.imagingStudy ?? []) {
    const study = await readResource<ImagingStudy>(ctx, q, outer, localReference(ref.reference, 'ImagingStudy') ?? '');
    for (const b of study?.basedOn ?? []) {
      const sr = localReference(b.reference, 'ServiceRequest');
      if (sr && !out.includes(sr)) out.push(sr);
    }
  }
  return out;
}

const organisationOf = (refs: Reference[] | undefined): string | undefined => refs?.flatMap((r) => localReference(r.reference, 'Organization') ?? [])[0];

export async function orderingSite(ctx: Context, q: Queryable, outer: FhirRequest, serviceRequest: string): Promise<OrderingSite | undefined> {
  const order = await readResource<ServiceRequest>(ctx, q, outer, serviceRequest);
  if (!order) return undefined;
  const site: OrderingSite = { serviceRequest, ...(organisationOf(order.performer) ? { performer: organisationOf(order.performer) as string } : {}) };
  const requester = order.requester?.reference;
  const organisation = localReference(requester, 'Organization');
  if (organisation) return { ...site, organisation };
  const role = localReference(requester, 'PractitionerRole');
  if (role) {
    const found = await readResource<PractitionerRole>(ctx, q, outer, role);
    const practitioner = localReference(found?.practitioner?.reference, 'Practitioner');
    const org = localReference(found?.organization?.reference, 'Organization');
    return { ...site, practitioner: practitioner ?? role, ...(org ? { organisation: org } : {}) };
  }
  const practitioner = localReference(requester, 'Practitioner');
  if (!practitioner) return site;
  // A bare Practitioner: the organisation of the (first) role they hold.
  const [held] = await searchResources<PractitionerRole>(ctx, q, outer, 'PractitionerRole', [['practitioner', practitioner]]);
  const org = localReference(held?.organization?.reference, 'Organization');
  return { ...site, practitioner, ...(org ? { organisation: org } : {}) };
}
