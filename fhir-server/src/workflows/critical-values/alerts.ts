import type { Communication, Extension } from '@medplum/fhirtypes';
import { isUnrestricted, type Principal } from '../../auth/principal.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { CRITICAL_SYSTEM, EXT_ACK, KIND } from './codes.js';
import { localReference } from './fhir-calls.js';

export function hasKind(c: Communication, kind: (typeof KIND)[keyof typeof KIND]): boolean {
  return (c.category ?? []).some((cat) => cat.coding?.some((x) => x.system === CRITICAL_SYSTEM && x.code === kind));
}

export const isAlert = (c: Communication): boolean => hasKind(c, KIND.alert);

/** The acknowledgement recorded on an alert: receiver, contact and time. */
export function acknowledgementOf(alert: Communication): { receiver?: string; contact?: string; time?: string } | undefined {
  const ext = alert.extension?.find((e) => e.url === EXT_ACK);
  if (!ext) return undefined;
  const part = (url: string): Extension | undefined => ext.extension?.find((e) => e.url === url);
  return {
    ...(part('receiver')?.valueReference?.reference ? { receiver: part('receiver')?.valueReference?.reference as string } : {}),
    ...(part('contact')?.valueContactPoint?.value ? { contact: part('contact')?.valueContactPoint?.value as string } : {}),
    ...(part('time')?.valueDateTime ? { time: part('time')?.valueDateTime as string } : {}),
  };
}

/** The alert `id`, locked for the rest of the transaction (acknowledgement and escalation serialise on it). */
export async function lockAlert(ctx: Context, q: Queryable, id: string): Promise<Communication> {
  const stored = await ctx.repo.read(q, 'Communication', id, true);
  const alert = JSON.parse(stored.json as string) as Communication;
  if (!isAlert(alert)) throw new FhirError('critical.not-an-alert', { id }, 'Communication.category');
  return alert;
}

/** The ordering organisations an alert went to. */
export function siteOf(alert: Communication): string | undefined {
  return (alert.recipient ?? []).flatMap((r) => localReference(r.reference, 'Organization') ?? [])[0];
}

/** Whether the principal may answer for a recipient of the alert: its organisation or its own user is one. */
export function isRecipient(alert: Communication, principal: Principal): boolean {
  if (isUnrestricted(principal)) return true;
  const recipients = new Set((alert.recipient ?? []).flatMap((r) => localReference(r.reference) ?? []));
  return (!!principal.organisation && recipients.has(principal.organisation)) || (!!principal.fhirUser && recipients.has(principal.fhirUser));
}
