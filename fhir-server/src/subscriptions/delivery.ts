import type { Logger } from '../http/logger.js';
import type { SubscriptionSpec } from './model.js';
import { notificationBundle, type NotificationEvent, type NotificationType } from './notification.js';
import type { DeliveryRecord } from './store.js';
import type { WebSocketHub } from './websocket-hub.js';

const DEFAULT_TIMEOUT_SECONDS = 10;

export interface Notification {
  spec: SubscriptionSpec;
  base: string;
  type: NotificationType;
  eventsSinceStart: number;
  events: NotificationEvent[];
}

/** What one attempt did, for the delivery log; `ok: false` means the channel did not take it. */
export type Outcome = Pick<DeliveryRecord, 'outcome' | 'httpStatus' | 'error'> & { ok: boolean };

/** Sends one notification over the subscription's channel, once; retrying is the queue's business. */
export async function send(n: Notification, hub: WebSocketHub, logger: Logger): Promise<Outcome> {
  const bundle = notificationBundle({ spec: n.spec, base: n.base, type: n.type, eventsSinceStart: n.eventsSinceStart, events: n.events });
  switch (n.spec.channel.type) {
    case 'rest-hook':
      return postRestHook(n.spec, JSON.stringify(bundle));
    case 'websocket': {
      const sockets = hub.send(n.spec.id, JSON.stringify(bundle));
      return sockets > 0 ? { ok: true, outcome: 'delivered' } : { ok: true, outcome: 'no-client' };
    }
    case 'email':
      // E-mail is a log sink here: one line per notification, the bundle's events and focus.
      logger.log('info', 'subscription e-mail notification', {
        to: n.spec.channel.endpoint,
        subscription: n.spec.id,
        type: n.type,
        events: n.events.map((e) => ({ number: e.event.eventNumber, focus: `${e.event.resourceType}/${e.event.resourceId}/_history/${e.event.versionId}` })),
      });
      return { ok: true, outcome: 'logged' };
  }
}

async function postRestHook(spec: SubscriptionSpec, body: string): Promise<Outcome> {
  const timeout = (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  try {
    const reply = await fetch(spec.channel.endpoint as string, {
      method: 'POST',
      headers: [...spec.channel.headers, ['Content-Type', 'application/fhir+json']],
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeout),
    });
    await reply.arrayBuffer().catch(() => undefined);
    if (reply.status >= 200 && reply.status < 300) return { ok: true, outcome: 'delivered', httpStatus: reply.status };
    return { ok: false, outcome: 'failed', httpStatus: reply.status, error: `HTTP ${reply.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, outcome: 'failed', error: cause ?? (error instanceof Error ? error.message : String(error)) };
  }
}

