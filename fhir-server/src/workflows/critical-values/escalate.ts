/**
 * Escalation of critical values nobody acknowledged in time (超时未确认升级): every alert still open
 * `ackSeconds` after it was sent gets one escalation Communication to the ordering site and the
 * organisation it belongs to (`Organization.partOf`, e.g. the 医共体 lead hospital), naming the
 * site's administrative contact (`Organization.contact` of purpose ADMIN) when it has one; the
 * alert points to it. The sweep is a search over stored alerts, so it survives restarts, and each
 * alert is locked while it is escalated, so two servers never escalate one twice.
 */
import type { Communication, Organization } from '@medplum/fhirtypes';
import type { Context } from '../../router/types.js';
import { acknowledgementOf, lockAlert, siteOf } from './alerts.js';
import { COMMUNICATION_CATEGORY, CRITICAL_SYSTEM, EXT_ESCALATION, KIND, RETRACTED_STATUSES } from './codes.js';
import { asServer, localReference, readResource, searchResources, writeResource } from './fhir-calls.js';

const escalated = (alert: Communication): boolean => !!alert.extension?.some((e) => e.url === EXT_ESCALATION);

/** Escalates every overdue alert; answers how many it escalated. */
export async function escalateOverdue(ctx: Context, now = new Date()): Promise<number> {
  const outer = asServer(ctx.config.baseUrl ?? '');
  const cutoff = new Date(now.getTime() - ctx.config.criticalValues.ackSeconds * 1000).toISOString();
  const due = await searchResources<Communication>(ctx, ctx.db, outer, 'Communication', [
    ['category', `${CRITICAL_SYSTEM}|${KIND.alert}`],
    ['received:missing', 'true'],
    ...RETRACTED_STATUSES.map((status): [string, string] => ['status:not', status]),
    ['sent', `lt${cutoff}`],
  ]);
  let count = 0;
  for (const candidate of due.filter((a) => !escalated(a))) {
    const done = await ctx.db.transaction(async (q) => {
      const alert = await lockAlert(ctx, q, candidate.id as string);
      if (escalated(alert) || acknowledgementOf(alert) || (RETRACTED_STATUSES as readonly string[]).includes(alert.status)) return false;
      const site = siteOf(alert);
      const organisation = site ? await readResource<Organization>(ctx, q, outer, site) : undefined;
      const contact = organisation?.contact?.find((c) => c.purpose?.coding?.some((x) => x.code === 'ADMIN'));
      const phone = contact?.telecom?.find((t) => t.system === 'phone')?.value;
      const name = contact?.name?.text ?? [contact?.name?.family, ...(contact?.name?.given ?? [])].filter(Boolean).join('');
      const parent = localReference(organisation?.partOf?.reference, 'Organization');
      const recipient: { reference: string }[] = [...(site ? [{ reference: site }] : []), ...(parent ? [{ reference: parent }] : [])];
      const minutes = Math.round((now.getTime() - Date.parse(alert.sent as string)) / 60_000);
      const who = [name, phone].filter(Boolean).join(' ');
      const escalation = await writeResource<Communication>(ctx, q, outer, {
        resourceType: 'Communication',
        status: 'in-progress',
        category: [
          { coding: [{ system: COMMUNICATION_CATEGORY, code: 'alert', display: 'Alert' }] },
          { coding: [{ system: CRITICAL_SYSTEM, code: KIND.escalation, display: '危急值超时升级' }] },
        ],
        priority: 'stat',
        partOf: [{ reference: `Communication/${alert.id as string}` }],
        ...(alert.basedOn ? { basedOn: alert.basedOn } : {}),
        ...(alert.subject ? { subject: alert.subject } : {}),
        about: [{ reference: `Communication/${alert.id as string}` }, ...(alert.about ?? [])],
        sent: now.toISOString(),
        ...(recipient.length ? { recipient } : {}),
        payload: [
          {
            contentString: `危急值发布 ${minutes} 分钟仍未确认，请立即处理${who ? `（联系人 ${who}）` : ''} | Critical value unacknowledged after ${minutes} min: act now${who ? ` (contact ${who})` : ''}`,
          },
        ],
      });
      await writeResource<Communication>(ctx, q, outer, {
        ...alert,
        extension: [...(alert.extension ?? []), { url: EXT_ESCALATION, valueReference: { reference: `Communication/${escalation.id as string}` } }],
      });
      return true;
    });
    if (done) count += 1;
  }
  return count;
}
