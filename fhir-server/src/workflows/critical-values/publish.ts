/**
 * Publishing a critical value (危急值发布): a Flag on the patient, an alert Communication to the
 * ordering site (priority stat, about the result and the Flag), and follow-up Tasks at 0 h, 24 h
 * and 72 h (随访). All are written in the caller's transaction: they exist exactly when the result
 * (or the publish operation) commits. One result is published once — its identifier marks it.
 */
import type { Communication, DiagnosticReport, Flag, Observation, Practitioner, Task } from '@medplum/fhirtypes';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import {
  COMMUNICATION_CATEGORY,
  CRITICAL_INTERPRETATIONS,
  CRITICAL_SYSTEM,
  EXT_PUBLISHER_CONTACT,
  EXT_RESULT,
  FOLLOW_UP_HOURS,
  INTERPRETATION_SYSTEM,
  KIND,
  RESULT_ID_SYSTEM,
  TASK_CODE,
} from './codes.js';
import { localReference, readResource, searchResources, writeResource } from './fhir-calls.js';
import { orderingSite, ordersOf, type OrderingSite } from './ordering-site.js';

export type CriticalResult = Observation | DiagnosticReport;
/** A plain reference, assignable to any typed one. */
type Ref = { reference: string };

const SIGNED = ['final', 'amended', 'corrected', 'appended'];

export const isSigned = (result: CriticalResult): boolean => SIGNED.includes(result.status ?? '');

/** Whether the result is signed and coded critical (interpretation, or a report's conclusionCode, AA/HH/LL). */
export function isCriticalResult(result: CriticalResult): boolean {
  if (!isSigned(result)) return false;
  const concepts = result.resourceType === 'Observation' ? result.interpretation : result.conclusionCode;
  return (concepts ?? []).some((c) => c.coding?.some((x) => x.system === INTERPRETATION_SYSTEM && (CRITICAL_INTERPRETATIONS as readonly string[]).includes(x.code ?? '')));
}

export interface Published {
  alert: Communication;
  flag: Flag;
  tasks: Task[];
}

export type PublishRefusal = 'no-order' | 'no-site' | 'no-subject';

/** The alert already published for a result, if any. */
export async function publishedAlert(ctx: Context, q: Queryable, outer: FhirRequest, result: string): Promise<Communication | undefined> {
  const found = await searchResources<Communication>(ctx, q, outer, 'Communication', [
    ['identifier', `${RESULT_ID_SYSTEM}|${result}`],
    ['category', `${CRITICAL_SYSTEM}|${KIND.alert}`],
  ]);
  return found[0];
}

const text = (zh: string, en: string): string => `${zh} | ${en}`;

function describe(result: CriticalResult): string {
  const name = result.code?.text ?? result.code?.coding?.[0]?.display ?? result.code?.coding?.[0]?.code ?? '';
  if (result.resourceType === 'DiagnosticReport') return `${name}${result.conclusion ? `：${result.conclusion}` : ''}`;
  const q = result.valueQuantity;
  const value = q ? `${q.value ?? ''} ${q.unit ?? q.code ?? ''}`.trim() : (result.valueString ?? result.valueCodeableConcept?.text ?? '');
  return `${name}${value ? ` ${value}` : ''}`;
}

/** The publisher: the signed-in user and organisation, else who the result names as performer or interpreter. */
function publisherOf(result: CriticalResult, principal: Principal): Ref | undefined {
  const own = principal.fhirUser ?? principal.organisation;
  if (own) return { reference: own };
  const named = result.resourceType === 'Observation' ? result.performer : [...(result.resultsInterpreter ?? []), ...(result.performer ?? [])];
  const ref = named?.find((r) => localReference(r.reference));
  return ref ? { reference: localReference(ref.reference) as string } : undefined;
}

async function publisherPhone(ctx: Context, q: Queryable, outer: FhirRequest, publisher: Ref | undefined): Promise<string | undefined> {
  const ref = localReference(publisher?.reference, 'Practitioner');
  if (!ref) return undefined;
  const practitioner = await readResource<Practitioner>(ctx, q, outer, ref);
  return practitioner?.telecom?.find((t) => t.system === 'phone' && t.value)?.value;
}

/**
 * Publishes the critical value of `result` (which must carry its id) to the site that ordered it;
 * a refusal reason when no order or site can be found. Publishing a result a second time answers
 * the existing alert.
 */
export async function publishCritical(
  ctx: Context,
  q: Queryable,
  outer: FhirRequest,
  result: CriticalResult,
  principal: Principal,
  options: { contact?: string } = {},
): Promise<Published | PublishRefusal> {
  const resultRef = `${result.resourceType}/${result.id as string}`;
  const existing = await publishedAlert(ctx, q, outer, resultRef);
  if (existing) return { alert: existing, ...(await relatedOf(ctx, q, outer, resultRef)) };
  const subject = localReference(result.subject?.reference, 'Patient');
  if (!subject) return 'no-subject';
  const [order] = await ordersOf(ctx, q, outer, result);
  if (!order) return 'no-order';
  const site = await orderingSite(ctx, q, outer, order);
  if (!site?.organisation && !site?.practitioner) return 'no-site';
  const now = new Date().toISOString();
  const publisher = publisherOf(result, principal);
  const contact = options.contact ?? (await publisherPhone(ctx, q, outer, publisher));
  const identifier = [{ system: RESULT_ID_SYSTEM, value: resultRef }];
  const code = { coding: [{ system: CRITICAL_SYSTEM, code: KIND.alert, display: '危急值' }], text: text('危急值', 'Critical value') };
  const flag = await writeResource<Flag>(ctx, q, outer, {
    resourceType: 'Flag',
    identifier,
    status: 'active',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical', display: 'Clinical' }] }],
    code,
    subject: { reference: subject },
    period: { start: now },
    ...(publisher ? { author: publisher } : {}),
    extension: [{ url: EXT_RESULT, valueReference: { reference: resultRef } }],
  });
  const alert = await writeResource<Communication>(ctx, q, outer, {
    resourceType: 'Communication',
    identifier,
    basedOn: [{ reference: order }],
    status: 'in-progress',
    category: [
      { coding: [{ system: COMMUNICATION_CATEGORY, code: 'alert', display: 'Alert' }] },
      { coding: [{ system: CRITICAL_SYSTEM, code: KIND.alert, display: '危急值' }] },
    ],
    priority: 'stat',
    subject: { reference: subject },
    about: [{ reference: resultRef }, { reference: `Flag/${flag.id as string}` }],
    sent: now,
    recipient: recipients(site),
    ...(publisher ? { sender: publisher } : {}),
    payload: [{ contentString: `${text('危急值', 'Critical value')}：${describe(result)}${contact ? `（${text('发布人电话', 'publisher phone')} ${contact}）` : ''}` }],
    ...(contact ? { extension: [{ url: EXT_PUBLISHER_CONTACT, valueContactPoint: { system: 'phone', value: contact } }] } : {}),
  });
  const tasks: Task[] = [];
  for (const hours of FOLLOW_UP_HOURS) {
    const due = new Date(Date.parse(now) + hours * 3600_000).toISOString();
    tasks.push(
      await writeResource<Task>(ctx, q, outer, {
        resourceType: 'Task',
        identifier,
        basedOn: [{ reference: order }],
        status: 'requested',
        intent: 'order',
        priority: 'stat',
        code: { coding: [{ system: CRITICAL_SYSTEM, code: TASK_CODE, display: '危急值随访' }], text: text(`危急值随访（${hours} 小时）`, `Critical value follow-up (${hours} h)`) },
        description: text(`发布后 ${hours} 小时内随访患者或紧急联系人`, `Follow up the patient or emergency contact within ${hours} h of publication`),
        focus: { reference: resultRef },
        for: { reference: subject },
        authoredOn: now,
        ...(publisher ? { requester: publisher } : {}),
        owner: recipients(site)[0] as Ref,
        reasonReference: { reference: `Communication/${alert.id as string}` },
        restriction: { period: { start: now, end: due } },
      }),
    );
  }
  return { alert, flag, tasks };
}

function recipients(site: OrderingSite): Ref[] {
  return [...(site.organisation ? [{ reference: site.organisation }] : []), ...(site.practitioner ? [{ reference: site.practitioner }] : [])];
}

/** The Flag and follow-up Tasks published with an alert. */
export async function relatedOf(ctx: Context, q: Queryable, outer: FhirRequest, resultRef: string): Promise<{ flag: Flag; tasks: Task[] }> {
  const id: [string, string] = ['identifier', `${RESULT_ID_SYSTEM}|${resultRef}`];
  const [flag] = await searchResources<Flag>(ctx, q, outer, 'Flag', [id]);
  const tasks = await searchResources<Task>(ctx, q, outer, 'Task', [id, ['code', `${CRITICAL_SYSTEM}|${TASK_CODE}`]]);
  const due = (t: Task): string => t.restriction?.period?.end ?? '';
  return { flag: flag as Flag, tasks: tasks.sort((a, b) => due(a).localeCompare(due(b))) };
}
