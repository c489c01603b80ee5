import http from 'node:http';
import type { AddressInfo } from 'node:net';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Received {
  body: Json;
  headers: http.IncomingHttpHeaders;
  /** `type` of the status Parameters: handshake, heartbeat, event-notification. */
  type: string;
  /** Event numbers the notification carries. */
  events: number[];
}

/** The status Parameters' values of a notification Bundle. */
export function statusOf(bundle: Json): { type: string; events: number[]; since: number; subscription: string } {
  const params = bundle?.entry?.[0]?.resource?.parameter ?? [];
  const value = (name: string) => params.find((p: Json) => p.name === name);
  return {
    type: value('type')?.valueCode,
    since: Number(value('events-since-subscription-start')?.valueString),
    subscription: value('subscription')?.valueReference?.reference,
    events: params.filter((p: Json) => p.name === 'notification-event').map((p: Json) => Number(p.part.find((x: Json) => x.name === 'event-number').valueString)),
  };
}

/**
 * A rest-hook receiver on loopback, as a subscriber's system would run it: records every
 * notification; `reply` decides the HTTP status of each (e.g. fail three times, then accept).
 */
export class Receiver {
  readonly received: Received[] = [];
  reply: (r: Received) => number = () => 200;
  private server: http.Server | undefined;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
        const s = statusOf(body);
        const r: Received = { body, headers: req.headers, type: s.type, events: s.events };
        this.received.push(r);
        res.statusCode = this.reply(r);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  ofType(type: string): Received[] {
    return this.received.filter((r) => r.type === type);
  }

  /** Event numbers received, de-duplicated as a receiver does. */
  eventNumbers(): number[] {
    return [...new Set(this.received.flatMap((r) => r.events))].sort((a, b) => a - b);
  }
}

export const TASK_TOPIC = 'https://qiao.health/fhir/SubscriptionTopic/referral-task';
const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';

/** A Backport topic subscription on referral tasks (R4 Subscription with the IG's extensions). */
export function topicSubscription(endpoint: string, options: { filter?: string; content?: string; heartbeat?: number; type?: string; headers?: string[] } = {}): Json {
  return {
    resourceType: 'Subscription',
    meta: { profile: [`${BACKPORT}/backport-subscription`] },
    status: 'requested',
    reason: '转诊任务通知 | referral task notifications',
    criteria: TASK_TOPIC,
    ...(options.filter ? { _criteria: { extension: [{ url: `${BACKPORT}/backport-filter-criteria`, valueString: options.filter }] } } : {}),
    channel: {
      type: options.type ?? 'rest-hook',
      ...(options.type === 'websocket' ? {} : { endpoint }),
      ...(options.heartbeat ? { extension: [{ url: `${BACKPORT}/backport-heartbeat-period`, valueUnsignedInt: options.heartbeat }] } : {}),
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: options.content ?? 'id-only' }] },
      ...(options.headers ? { header: options.headers } : {}),
    },
  };
}

export function task(status: string, note = '', priority = 'routine'): Json {
  return { resourceType: 'Task', status, intent: 'order', priority, description: note || `转诊 ${status}` };
}
