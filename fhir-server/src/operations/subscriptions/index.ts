import type { Bundle, BundleEntry, Parameters, ParametersParameter, Resource, Subscription } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import { dispatch } from '../../router/router.js';
import { RawJson, type Context, type FhirRequest, type FhirResponse, type ParsedPath } from '../../router/types.js';
import { engineOf } from '../../subscriptions/engine.js';
import { specOf, type PayloadContent, type SubscriptionSpec } from '../../subscriptions/model.js';
import { notificationBundle, statusParameters } from '../../subscriptions/notification.js';
import { deliveries, eventCount, eventsBetween } from '../../subscriptions/store.js';
import type { OperationEntry } from '../registry.js';

const BACKPORT_OPS = 'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition';
const MAX_EVENTS = 100;

/** An input parameter from the query (GET) or the Parameters body (POST); every occurrence. */
function inputs(req: FhirRequest, name: string): string[] {
  const fromQuery = req.query.filter(([k]) => k === name).map(([, v]) => v);
  const body = req.body as Parameters | undefined;
  const fromBody = (body?.resourceType === 'Parameters' ? (body.parameter ?? []) : [])
    .filter((p) => p.name === name)
    .map((p) => String(p.valueString ?? p.valueId ?? p.valueCode ?? p.valueInteger ?? p.valueUnsignedInt ?? p.valuePositiveInt ?? ''));
  return [...fromQuery, ...fromBody];
}

function asResource(body: FhirResponse['body']): Resource | undefined {
  return body instanceof RawJson ? (JSON.parse(body.text) as Resource) : (body as Resource | undefined);
}

/** The Subscriptions the caller may read: one by id, or those a search finds (ids given, else all). */
async function readable(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<SubscriptionSpec[]> {
  const found: Subscription[] = [];
  if (path.id) found.push(asResource((await dispatch(ctx, q, { ...req, method: 'GET', path: `Subscription/${path.id}`, query: [], body: undefined })).body) as Subscription);
  else {
    const ids = inputs(req, 'id');
    const reply = await dispatch(ctx, q, { ...req, method: 'GET', path: 'Subscription', query: [...(ids.length ? [['_id', ids.join(',')] as [string, string]] : []), ['_count', '1000']], body: undefined });
    const bundle = asResource(reply.body) as Bundle;
    for (const e of bundle.entry ?? []) {
      const r = asResource(e.resource as unknown as RawJson);
      if (r?.resourceType === 'Subscription') found.push(r as Subscription);
    }
  }
  return found.flatMap((s) => {
    try {
      return [specOf(s)];
    } catch {
      return [];
    }
  });
}

function searchset(resources: Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    type: 'searchset',
    total: resources.length,
    entry: resources.map((resource): BundleEntry => ({ fullUrl: `urn:uuid:${randomUUID()}`, resource, search: { mode: 'match' } })),
  };
}

async function status(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const specs = await readable(ctx, q, req, path);
  const out: Parameters[] = [];
  for (const spec of specs) {
    const [last] = await deliveries(q, spec.id, 1);
    out.push(
      statusParameters({
        spec,
        base: req.baseUrl,
        type: 'query-status',
        eventsSinceStart: await eventCount(q, spec.id),
        ...(last && last.outcome === 'failed' ? { error: `${last.at}: ${last.error ?? 'failed'}` } : {}),
      }),
    );
  }
  return { status: 200, body: searchset(out) };
}

function eventNumber(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new FhirError('subscription.events-range', { detail: `${name}=${text}` }, name);
  return Number(text);
}

async function events(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const [spec] = await readable(ctx, q, req, path);
  if (!spec) throw new FhirError('resource.not-found', { type: 'Subscription', id: path.id ?? '' });
  const count = await eventCount(q, spec.id);
  const until = eventNumber(inputs(req, 'eventsUntilNumber')[0], 'eventsUntilNumber') ?? count;
  const since = eventNumber(inputs(req, 'eventsSinceNumber')[0], 'eventsSinceNumber') ?? Math.max(1, until - MAX_EVENTS + 1);
  if (since > until + 1) throw new FhirError('subscription.events-range', { detail: `${since} > ${until}` });
  const content = (inputs(req, 'content')[0] ?? spec.channel.payload) as PayloadContent;
  if (!['empty', 'id-only', 'full-resource'].includes(content)) throw new FhirError('subscription.payload-invalid', { content }, 'content');
  const stored = await eventsBetween(q, spec.id, since, until, MAX_EVENTS);
  const engine = engineOf(ctx);
  const withResources = engine ? await engine.notificationEvents({ ...spec, channel: { ...spec.channel, payload: content } }, stored, content) : stored.map((event) => ({ event }));
  return { status: 200, body: notificationBundle({ spec, base: req.baseUrl, type: 'query-event', eventsSinceStart: count, events: withResources, content }) };
}

async function wsToken(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const specs = (await readable(ctx, q, req, path)).filter((s) => s.channel.type === 'websocket');
  if (path.id && specs.length === 0) throw new FhirError('subscription.not-websocket', { id: path.id });
  const engine = engineOf(ctx);
  if (!engine) throw new FhirError('server.unavailable');
  const { token, expiration } = engine.hub.issueToken(specs.map((s) => s.id));
  const ws = `${req.baseUrl.replace(/^http/, 'ws')}/ws`;
  return {
    status: 200,
    body: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'token', valueString: token },
        { name: 'expiration', valueDateTime: expiration },
        ...specs.map((s): ParametersParameter => ({ name: 'subscription', valueString: `${req.baseUrl}/Subscription/${s.id}` })),
        { name: 'websocket-url', valueUrl: ws },
      ],
    } satisfies Parameters,
  };
}

/** The delivery log of one subscription, newest first: every handshake, heartbeat and event attempt. */
async function deliveryLog(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const [spec] = await readable(ctx, q, req, path);
  if (!spec) throw new FhirError('resource.not-found', { type: 'Subscription', id: path.id ?? '' });
  const limit = Math.min(1000, eventNumber(inputs(req, '_count')[0], '_count') ?? 100);
  const rows = await deliveries(q, spec.id, limit);
  return {
    status: 200,
    body: {
      resourceType: 'Parameters',
      parameter: rows.map((r) => ({
        name: 'attempt',
        part: [
          { name: 'kind', valueCode: r.kind },
          ...(r.eventNumber !== undefined ? [{ name: 'event-number', valueString: String(r.eventNumber) }] : []),
          { name: 'channel', valueCode: r.channel },
          { name: 'attempt', valueInteger: r.attempt },
          { name: 'outcome', valueCode: r.outcome },
          ...(r.httpStatus !== undefined ? [{ name: 'http-status', valueInteger: r.httpStatus }] : []),
          ...(r.error !== undefined ? [{ name: 'error', valueString: r.error }] : []),
          { name: 'time', valueInstant: r.at },
        ],
      })),
    } satisfies Parameters,
  };
}

/** The Backport IG's operations on Subscription, and the delivery log. */
export const SUBSCRIPTION_OPERATIONS: readonly OperationEntry[] = [
  { code: 'status', definition: `${BACKPORT_OPS}/backport-subscription-status`, levels: ['type', 'instance'], types: ['Subscription'], affectsState: false, ownTransactions: false, handler: status },
  { code: 'events', definition: `${BACKPORT_OPS}/backport-subscription-events`, levels: ['instance'], types: ['Subscription'], affectsState: false, ownTransactions: false, handler: events },
  { code: 'get-ws-binding-token', definition: `${BACKPORT_OPS}/backport-subscription-get-ws-binding-token`, levels: ['type', 'instance'], types: ['Subscription'], affectsState: false, ownTransactions: false, handler: wsToken },
  { code: 'delivery-log', definition: 'https://qiao.health/fhir/OperationDefinition/Subscription-delivery-log', levels: ['instance'], types: ['Subscription'], affectsState: false, ownTransactions: false, handler: deliveryLog },
];
