/**
 * Acknowledging a critical value (接收确认): the ordering site's clinician confirms receipt with
 * their name and telephone. The alert records receiver, contact and time (`received` and the
 * acknowledgement extension) — what the publisher reads as the receipt (回执) — and a receipt
 * Communication in response to it goes to the publisher (sent by the notify module).
 */
import type { Communication } from '@medplum/fhirtypes';
import type { Principal } from '../../auth/principal.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { acknowledgementOf, isRecipient, lockAlert } from './alerts.js';
import { COMMUNICATION_CATEGORY, CRITICAL_SYSTEM, EXT_ACK, KIND, RETRACTED_STATUSES } from './codes.js';
import { writeResource } from './fhir-calls.js';

export interface Acknowledgement {
  /** `Practitioner/…` who received it; the signed-in user when not given. */
  receiver?: string;
  /** The receiver's telephone. */
  contact: string;
  note?: string;
}

export async function acknowledge(
  ctx: Context,
  q: Queryable,
  outer: FhirRequest,
  id: string,
  principal: Principal,
  input: Acknowledgement,
  now = new Date(),
): Promise<{ alert: Communication; receipt: Communication }> {
  const alert = await lockAlert(ctx, q, id);
  if (!isRecipient(alert, principal)) throw new FhirError('critical.not-recipient', { id });
  if ((RETRACTED_STATUSES as readonly string[]).includes(alert.status)) throw new FhirError('critical.cancelled', { id, status: alert.status });
  const previous = acknowledgementOf(alert);
  if (previous) {
    throw new FhirError('critical.already-acknowledged', { id, receiver: previous?.receiver ?? '', time: previous?.time ?? alert.received ?? '' });
  }
  const receiver = input.receiver ?? principal.fhirUser;
  if (!receiver) throw new FhirError('critical.receiver-missing', {}, "Parameters.parameter.where(name = 'receiver')");
  const time = now.toISOString();
  const acknowledged = await writeResource<Communication>(ctx, q, outer, {
    ...alert,
    received: time,
    extension: [
      ...(alert.extension ?? []),
      {
        url: EXT_ACK,
        extension: [
          { url: 'receiver', valueReference: { reference: receiver } },
          { url: 'contact', valueContactPoint: { system: 'phone', value: input.contact } },
          { url: 'time', valueDateTime: time },
        ],
      },
    ],
  });
  // In preparation: the notify module delivers the receipt (回执) to the publisher.
  const receipt = await writeResource<Communication>(ctx, q, outer, {
    resourceType: 'Communication',
    status: 'preparation',
    category: [
      { coding: [{ system: COMMUNICATION_CATEGORY, code: 'notification', display: 'Notification' }] },
      { coding: [{ system: CRITICAL_SYSTEM, code: KIND.receipt, display: '危急值回执' }] },
    ],
    priority: 'stat',
    inResponseTo: [{ reference: `Communication/${id}` }],
    partOf: [{ reference: `Communication/${id}` }],
    ...(alert.basedOn ? { basedOn: alert.basedOn } : {}),
    ...(alert.subject ? { subject: alert.subject } : {}),
    ...(alert.about ? { about: alert.about } : {}),
    sent: time,
    sender: { reference: receiver },
    ...(alert.sender ? { recipient: [alert.sender] } : {}),
    payload: [{ contentString: `已确认收到危急值，接收人电话 ${input.contact} | Critical value acknowledged, receiver phone ${input.contact}${input.note ? `；${input.note}` : ''}` }],
  });
  return { alert: acknowledged, receipt };
}
