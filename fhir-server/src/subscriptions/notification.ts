import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { BACKPORT_NOTIFICATION_PROFILE, BACKPORT_STATUS_PROFILE, type PayloadContent, type SubscriptionSpec } from './model.js';
import type { StoredEvent } from './store.js';

export type NotificationType = 'handshake' | 'heartbeat' | 'event-notification' | 'query-status' | 'query-event';

export interface NotificationEvent {
  event: StoredEvent;
  /** The version the event is about, as the subscription's owner may read it (full-resource only). */
  resource?: Resource;
}

export interface StatusInput {
  spec: SubscriptionSpec;
  /** FHIR base, for references and fullUrls. */
  base: string;
  type: NotificationType;
  eventsSinceStart: number;
  events?: NotificationEvent[];
  content?: PayloadContent;
  error?: string;
}

/** The R4 form of SubscriptionStatus: a Parameters resource (backport-subscription-status-r4). */
export function statusParameters(input: StatusInput): Parameters {
  const { spec, base, type } = input;
  const content = input.content ?? spec.channel.payload;
  const parameter: ParametersParameter[] = [
    { name: 'subscription', valueReference: { reference: `${base}/Subscription/${spec.id}` } },
    ...(spec.topic ? [{ name: 'topic', valueCanonical: spec.topic }] : []),
    { name: 'status', valueCode: spec.status },
    { name: 'type', valueCode: type },
    // integer64 does not exist in R4: the IG carries the counter as a string.
    { name: 'events-since-subscription-start', valueString: String(input.eventsSinceStart) },
  ];
  for (const { event } of input.events ?? []) {
    parameter.push({
      name: 'notification-event',
      part: [
        { name: 'event-number', valueString: String(event.eventNumber) },
        { name: 'timestamp', valueInstant: event.occurred },
        ...(content !== 'empty' ? [{ name: 'focus', valueReference: { reference: `${base}/${event.resourceType}/${event.resourceId}/_history/${event.versionId}` } }] : []),
      ],
    });
  }
  if (input.error) parameter.push({ name: 'error', valueCodeableConcept: { text: input.error } });
  return { resourceType: 'Parameters', meta: { profile: [BACKPORT_STATUS_PROFILE] }, parameter };
}

/** A notification: a `history` Bundle whose first entry is the status, then the events' resources per the payload content. */
export function notificationBundle(input: StatusInput): Bundle {
  const status = statusParameters(input);
  const content = input.content ?? input.spec.channel.payload;
  const entry: BundleEntry[] = [
    {
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: status,
      request: { method: 'GET', url: `Subscription/${input.spec.id}/$status` },
      response: { status: '200' },
    },
  ];
  if (content !== 'empty') {
    for (const { event, resource } of input.events ?? []) {
      const created = event.versionId === '1';
      entry.push({
        fullUrl: `${input.base}/${event.resourceType}/${event.resourceId}`,
        ...(content === 'full-resource' && resource ? { resource } : {}),
        request: { method: created ? 'POST' : 'PUT', url: created ? event.resourceType : `${event.resourceType}/${event.resourceId}` },
        response: { status: created ? '201' : '200' },
      });
    }
  }
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    meta: { profile: [BACKPORT_NOTIFICATION_PROFILE] },
    type: 'history',
    timestamp: new Date().toISOString(),
    entry,
  };
}
