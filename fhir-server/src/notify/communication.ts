import type { Communication, ContactPoint, Extension, Reference, Resource } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../auth/principal.js';
import type { Job } from '../jobs/index.js';
import { handle } from '../router/router.js';
import type { Context } from '../router/types.js';
import type { NotificationSender } from './senders.js';

export const NOTIFY_JOB = 'notify.communication';
export const DELIVERY_EXTENSION = 'https://qiao.health/fhir/StructureDefinition/notification-delivery';
/** Communications in these statuses are waiting to be sent (docs/subscriptions.md). */
export const TO_SEND = ['preparation', 'in-progress'];

type Outcome = 'sent' | 'failed' | 'no-address';

interface RecipientOutcome {
  recipient: Reference;
  sender?: string;
  outcome: Outcome;
  detail: string;
  time: string;
}

/** The telecoms of a recipient; a PractitionerRole without any lends its practitioner's. */
async function addresses(ctx: Context, reference: string): Promise<ContactPoint[]> {
  const m = /^(Practitioner|PractitionerRole|Patient|RelatedPerson)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  if (!m) return [];
  const read = async (type: string, id: string) => JSON.parse((await ctx.repo.read(ctx.db, type, id)).json as string) as Resource & { telecom?: ContactPoint[]; practitioner?: Reference };
  try {
    const r = await read(m[1] as string, m[2] as string);
    const own = (r.telecom ?? []).filter((t) => t.value);
    if (own.length || r.resourceType !== 'PractitionerRole' || !r.practitioner?.reference) return own;
    return addresses(ctx, r.practitioner.reference);
  } catch {
    return [];
  }
}

function text(c: Communication): string {
  return (c.payload ?? []).map((p) => p.contentString ?? p.contentAttachment?.title ?? '').filter((t) => t !== '').join('\n');
}

async function reach(ctx: Context, senders: readonly NotificationSender[], c: Communication, recipient: Reference): Promise<RecipientOutcome> {
  const time = () => new Date().toISOString();
  const reference = recipient.reference ?? '';
  const found = await addresses(ctx, reference);
  let last: RecipientOutcome | undefined;
  for (const address of found) {
    for (const sender of senders.filter((s) => s.handles(address))) {
      try {
        const result = await sender.send({ communication: `Communication/${c.id}`, recipient: reference, address, text: text(c), ...(c.priority ? { priority: c.priority } : {}) });
        last = { recipient, sender: sender.name, outcome: result.ok ? 'sent' : 'failed', detail: result.detail ?? '', time: time() };
      } catch (error) {
        last = { recipient, sender: sender.name, outcome: 'failed', detail: error instanceof Error ? error.message : String(error), time: time() };
      }
      if (last.outcome === 'sent') return last;
    }
  }
  return last ?? { recipient, outcome: 'no-address', detail: '收件人没有可用的联系方式 | the recipient has no address a sender can use', time: time() };
}

function extension(o: RecipientOutcome): Extension {
  return {
    url: DELIVERY_EXTENSION,
    extension: [
      { url: 'recipient', valueReference: o.recipient },
      ...(o.sender ? [{ url: 'sender', valueCode: o.sender }] : []),
      { url: 'outcome', valueCode: o.outcome },
      ...(o.detail ? [{ url: 'detail', valueString: o.detail }] : []),
      { url: 'time', valueDateTime: o.time },
    ],
  };
}

/**
 * Sends one Communication to its recipients and records the outcome on it (as the system):
 * `completed` when someone was reached, `not-done` with a reason when nobody was. A run where
 * every sender failed is retried by the queue before it is recorded as `not-done`.
 */
export async function sendCommunication(ctx: Context, senders: readonly NotificationSender[], job: Job<{ id: string }>, baseUrl: string): Promise<void> {
  let c: Communication;
  try {
    c = JSON.parse((await ctx.repo.read(ctx.db, 'Communication', job.payload.id)).json as string) as Communication;
  } catch {
    return;
  }
  if (!TO_SEND.includes(c.status)) return;
  const outcomes: RecipientOutcome[] = [];
  for (const recipient of c.recipient ?? []) outcomes.push(await reach(ctx, senders, c, recipient));
  const reached = outcomes.some((o) => o.outcome === 'sent');
  if (!reached && outcomes.some((o) => o.outcome === 'failed') && !job.final) throw new Error('no sender reached any recipient');
  const next: Communication = {
    ...c,
    status: reached ? 'completed' : 'not-done',
    extension: [...(c.extension ?? []).filter((e) => e.url !== DELIVERY_EXTENSION), ...outcomes.map(extension)],
  };
  if (reached) next.sent = outcomes.find((o) => o.outcome === 'sent')?.time as string;
  else {
    next.statusReason = {
      text: outcomes.length
        ? '未能送达任何收件人（见 notification-delivery 扩展） | no recipient could be reached (see the notification-delivery extensions)'
        : '没有收件人 | the Communication has no recipient',
    };
  }
  const reply = await handle(ctx, {
    method: 'PUT',
    path: `Communication/${c.id}`,
    query: [],
    body: next,
    ifMatch: `W/"${c.meta?.versionId ?? ''}"`,
    prefer: { return: 'minimal' },
    baseUrl,
    principal: SYSTEM_PRINCIPAL,
  });
  if (reply.status >= 300) throw new Error(`recording the outcome failed: HTTP ${reply.status}`);
}
