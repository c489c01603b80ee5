import type { Extension, Subscription } from '@medplum/fhirtypes';

/** The JSON of primitive elements' extensions (`_criteria`, `_payload`), which the generated types omit. */
type WithPrimitiveExtensions = Subscription & { _criteria?: { extension?: Extension[] }; channel?: Subscription['channel'] & { _payload?: { extension?: Extension[] } } };
import { FhirError } from '../errors/fhir-error.js';
import { findTopic, type Topic } from './topics.js';

const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
export const BACKPORT_EXT = {
  filterCriteria: `${BACKPORT}/backport-filter-criteria`,
  payloadContent: `${BACKPORT}/backport-payload-content`,
  heartbeatPeriod: `${BACKPORT}/backport-heartbeat-period`,
  timeout: `${BACKPORT}/backport-timeout`,
  maxCount: `${BACKPORT}/backport-max-count`,
} as const;
export const BACKPORT_SUBSCRIPTION_PROFILE = `${BACKPORT}/backport-subscription`;
export const BACKPORT_STATUS_PROFILE = `${BACKPORT}/backport-subscription-status-r4`;
export const BACKPORT_NOTIFICATION_PROFILE = `${BACKPORT}/backport-subscription-notification-r4`;

export type PayloadContent = 'empty' | 'id-only' | 'full-resource';
export type ChannelType = 'rest-hook' | 'websocket' | 'email';
const CHANNELS: readonly ChannelType[] = ['rest-hook', 'websocket', 'email'];
const CONTENTS: readonly PayloadContent[] = ['empty', 'id-only', 'full-resource'];

/** A Subscription resource as the engine uses it: R4 criteria and Backport topics in one shape. */
export interface SubscriptionSpec {
  id: string;
  status: string;
  /** The topic's canonical URL; undefined for an R4 criteria subscription. */
  topic?: string;
  resourceType: string;
  interactions: readonly string[];
  /** Searches the changed resource must all match (topic criteria, filters, R4 criteria). */
  searches: [string, string][][];
  channel: { type: ChannelType; endpoint?: string; headers: [string, string][]; payload: PayloadContent; mime: string };
  heartbeatSeconds?: number;
  timeoutSeconds?: number;
  /** `Subscription.end`: no notifications after it. */
  end?: string;
}

/** `Type?a=b&c=d` (or `a=b&c=d` when the type is known) → type and query pairs. */
export function parseSearch(text: string, type?: string): { type: string; query: [string, string][] } | undefined {
  const q = text.indexOf('?');
  const head = q < 0 ? (type && text.includes('=') ? '' : text) : text.slice(0, q);
  const rest = q < 0 ? (head === '' ? text : '') : text.slice(q + 1);
  const resourceType = head === '' ? type : head;
  if (!resourceType || !/^[A-Z][A-Za-z]+$/.test(resourceType)) return undefined;
  return { type: resourceType, query: [...new URLSearchParams(rest)] as [string, string][] };
}

/** Reads a Subscription; throws a FhirError (with the element at fault) when it cannot be served. */
export function specOf(sub: Subscription): SubscriptionSpec {
  const criteria = sub.criteria ?? '';
  const topic: Topic | undefined = /^https?:\/\//.test(criteria) ? findTopic(criteria) : undefined;
  const searches: [string, string][][] = [];
  let resourceType: string;
  if (topic) {
    resourceType = topic.resourceType;
    if (topic.criteria) searches.push([...new URLSearchParams(topic.criteria)] as [string, string][]);
    for (const ext of (sub as WithPrimitiveExtensions)._criteria?.extension ?? []) {
      if (ext.url !== BACKPORT_EXT.filterCriteria) continue;
      const filter = ext.valueString ?? '';
      const parsed = parseSearch(filter, topic.resourceType);
      if (!parsed || parsed.type !== topic.resourceType || parsed.query.length === 0) {
        throw new FhirError('subscription.filter-invalid', { filter, detail: `expected ${topic.resourceType}?name=value` }, 'Subscription.criteria.extension');
      }
      searches.push(parsed.query);
    }
  } else {
    const parsed = /^https?:\/\//.test(criteria) ? undefined : parseSearch(criteria);
    if (!parsed) throw new FhirError('subscription.criteria-invalid', { criteria, detail: 'unknown topic / 未知主题' }, 'Subscription.criteria');
    resourceType = parsed.type;
    searches.push(parsed.query);
  }
  const channelType = sub.channel?.type as string;
  if (!CHANNELS.includes(channelType as ChannelType)) throw new FhirError('subscription.channel-unsupported', { type: channelType }, 'Subscription.channel.type');
  const content = (sub.channel as WithPrimitiveExtensions['channel'])?._payload?.extension?.find((e: Extension) => e.url === BACKPORT_EXT.payloadContent)?.valueCode;
  if (content !== undefined && !CONTENTS.includes(content as PayloadContent)) {
    throw new FhirError('subscription.payload-invalid', { content }, 'Subscription.channel.payload.extension');
  }
  // R4 without the extension: a payload mime type means the resource is sent, none means nothing is.
  const payload: PayloadContent = (content as PayloadContent | undefined) ?? (sub.channel?.payload ? 'full-resource' : 'empty');
  const headers = (sub.channel?.header ?? []).map((h): [string, string] => {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(h);
    if (!m) throw new FhirError('subscription.header-invalid', { header: h }, 'Subscription.channel.header');
    return [m[1] as string, m[2] as string];
  });
  const ext = (url: string) => sub.channel?.extension?.find((e) => e.url === url);
  const heartbeat = ext(BACKPORT_EXT.heartbeatPeriod)?.valueUnsignedInt;
  const timeout = ext(BACKPORT_EXT.timeout)?.valueUnsignedInt;
  return {
    id: sub.id as string,
    status: sub.status,
    ...(topic ? { topic: topic.url } : {}),
    resourceType,
    interactions: topic?.interactions ?? ['create', 'update'],
    searches,
    channel: {
      type: channelType as ChannelType,
      ...(sub.channel?.endpoint ? { endpoint: sub.channel.endpoint } : {}),
      headers,
      payload,
      mime: sub.channel?.payload ?? 'application/fhir+json',
    },
    ...(heartbeat ? { heartbeatSeconds: heartbeat } : {}),
    ...(timeout ? { timeoutSeconds: timeout } : {}),
    ...(sub.end ? { end: sub.end } : {}),
  };
}

/** `specOf` for code that skips what it cannot serve instead of refusing it. */
export function safeSpecOf(sub: Subscription | undefined): SubscriptionSpec | undefined {
  if (!sub) return undefined;
  try {
    return specOf(sub);
  } catch {
    return undefined;
  }
}
