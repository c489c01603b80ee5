import { jest } from '@jest/globals';
import { Client } from 'fhir-kit-client';
import { call, firstIssue } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { eventually } from '../support/eventually.js';
import { Receiver, statusOf, task, TASK_TOPIC, topicSubscription } from './receiver.js';

// Starting a server on a fresh database takes long on a busy shared machine (other suites run beside these).
jest.setTimeout(180_000);

describe.each(BACKENDS)('rest-hook subscriptions on %s', (backend) => {
  const server = useTestServer(backend);
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('handshakes, then notifies matching changes with numbered events and not the others', async () => {
    const client = new Client({ baseUrl: server.base });
    const created = (await client.create({
      resourceType: 'Subscription',
      body: topicSubscription(receiver.url, { filter: 'Task?status=requested', content: 'full-resource', headers: ['Authorization: Bearer hook-secret'] }),
    })) as unknown as { id: string; status: string };
    expect(created.status).toBe('requested');
    const handshake = await eventually(() => receiver.ofType('handshake')[0], 10_000, 'handshake');
    expect(statusOf(handshake.body).subscription).toBe(`${server.base}/Subscription/${created.id}`);
    expect(handshake.headers.authorization).toBe('Bearer hook-secret');
    await eventually(async () => ((await client.read({ resourceType: 'Subscription', id: created.id })) as unknown as { status: string }).status === 'active', 10_000, 'active');

    const matching = (await call(server.base, 'POST', 'Task', task('requested'))).body;
    const other = (await call(server.base, 'POST', 'Task', task('draft'))).body;
    await call(server.base, 'PUT', `Task/${matching.id}`, { ...task('requested', 'changed'), id: matching.id });
    const events = await eventually(() => (receiver.ofType('event-notification').length >= 2 ? receiver.ofType('event-notification') : undefined), 15_000, 'two events');
    const byNumber = new Map(events.map((r) => [r.events[0], r.body]));
    expect([...byNumber.keys()].sort()).toEqual([1, 2]);
    const first = byNumber.get(1);
    expect(first.type).toBe('history');
    expect(first.entry[1].fullUrl).toBe(`${server.base}/Task/${matching.id}`);
    expect(first.entry[1].resource.status).toBe('requested');
    expect(byNumber.get(2).entry[1].resource.description).toBe('changed');
    expect(statusOf(byNumber.get(2)).since).toBeGreaterThanOrEqual(2);
    // The draft task never matched the filter.
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.received.flatMap((r) => r.body.entry.slice(1).map((e: { fullUrl: string }) => e.fullUrl))).not.toContain(`${server.base}/Task/${other.id}`);

    const status = await call(server.base, 'GET', `Subscription/${created.id}/$status`);
    expect(status.status).toBe(200);
    const params = status.body.entry[0].resource;
    expect(params.resourceType).toBe('Parameters');
    expect(params.parameter.find((p: { name: string }) => p.name === 'events-since-subscription-start').valueString).toBe('2');
    expect(params.parameter.find((p: { name: string }) => p.name === 'type').valueCode).toBe('query-status');

    const replay = await call(server.base, 'GET', `Subscription/${created.id}/$events?eventsSinceNumber=1&eventsUntilNumber=2&content=id-only`);
    expect(replay.status).toBe(200);
    expect(statusOf(replay.body).type).toBe('query-event');
    expect(statusOf(replay.body).events).toEqual([1, 2]);
    expect(replay.body.entry[1].resource).toBeUndefined();

    const log = await call(server.base, 'GET', `Subscription/${created.id}/$delivery-log`);
    const outcomes = log.body.parameter.map((p: { part: { name: string; valueCode?: string }[] }) => p.part.find((x) => x.name === 'kind')?.valueCode);
    expect(outcomes.filter((k: string) => k === 'event-notification')).toHaveLength(2);
    expect(outcomes).toContain('handshake');
  });

  it('evaluates R4 criteria subscriptions with the search engine', async () => {
    const own = await new Receiver().start();
    try {
      const sub = await call(server.base, 'POST', 'Subscription', {
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'R4 criteria',
        criteria: 'Task?status=cancelled&priority=urgent',
        channel: { type: 'rest-hook', endpoint: own.url },
      });
      expect(sub.status).toBe(201);
      await eventually(() => own.ofType('handshake')[0], 10_000, 'handshake');
      await eventually(async () => (await call(server.base, 'GET', `Subscription/${sub.body.id}`)).body.status === 'active', 10_000, 'active');
      await call(server.base, 'POST', 'Task', task('cancelled', '其他'));
      await call(server.base, 'POST', 'Task', task('requested', '其他', 'urgent'));
      const hit = (await call(server.base, 'POST', 'Task', task('cancelled', '取消', 'urgent'))).body;
      const note = await eventually(() => own.ofType('event-notification')[0], 10_000, 'event');
      // No payload mime type: an empty notification (status only).
      expect(note.body.entry).toHaveLength(1);
      expect(note.events).toEqual([1]);
      await new Promise((r) => setTimeout(r, 700));
      expect(own.ofType('event-notification')).toHaveLength(1);
      const replay = await call(server.base, 'GET', `Subscription/${sub.body.id}/$events?content=id-only`);
      expect(replay.body.entry[1].fullUrl).toBe(`${server.base}/Task/${hit.id}`);
    } finally {
      await own.stop();
    }
  });

  it('refuses an endpoint that is not on the allow-list, and criteria it cannot evaluate', async () => {
    const refused = await call(server.base, 'POST', 'Subscription', topicSubscription('http://10.1.2.3/hook'));
    expect(refused.status).toBe(422);
    const issue = firstIssue(refused);
    expect(issue.expression).toEqual(['Subscription.channel.endpoint']);
    expect(issue.details.text).toMatch(/允许列表.*allow-list/);
    const badFilter = await call(server.base, 'POST', 'Subscription', topicSubscription('http://127.0.0.1:9/hook', { filter: 'Task?no-such-param=1' }));
    expect(badFilter.status).toBe(400);
    const badTopic = await call(server.base, 'POST', 'Subscription', { ...topicSubscription('http://127.0.0.1:9/hook'), criteria: 'https://example.org/SubscriptionTopic/unknown' });
    expect(badTopic.status).toBe(400);
    expect(firstIssue(badTopic).expression).toEqual(['Subscription.criteria']);
  });

  it('advertises the Backport profile, the topics and the operations', async () => {
    const statement = (await call(server.base, 'GET', 'metadata')).body;
    expect(statement.instantiates).toContain('http://hl7.org/fhir/uv/subscriptions-backport/CapabilityStatement/backport-subscription-server-r4');
    const subscription = statement.rest[0].resource.find((r: { type: string }) => r.type === 'Subscription');
    expect(subscription.supportedProfile).toContain('http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription');
    expect(subscription.extension.map((e: { valueCanonical: string }) => e.valueCanonical)).toContain(TASK_TOPIC);
    expect(subscription.operation.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['status', 'events', 'get-ws-binding-token']));
  });

  it('retries a failing receiver with back-off until it accepts', async () => {
    const flaky = await new Receiver().start();
    let failures = 0;
    flaky.reply = (r) => (r.type === 'event-notification' && failures++ < 3 ? 503 : 200);
    try {
      const sub = (await call(server.base, 'POST', 'Subscription', topicSubscription(flaky.url, { filter: 'Task?status=on-hold' }))).body;
      await eventually(async () => (await call(server.base, 'GET', `Subscription/${sub.id}`)).body.status === 'active', 10_000, 'active');
      await call(server.base, 'POST', 'Task', task('on-hold'));
      await eventually(() => flaky.ofType('event-notification').length >= 4, 40_000, 'fourth attempt');
      expect(flaky.eventNumbers()).toEqual([1]);
      const log = (await call(server.base, 'GET', `Subscription/${sub.id}/$delivery-log`)).body;
      const attempts = log.parameter
        .map((p: { part: { name: string; valueCode?: string; valueInteger?: number; valueString?: string }[] }) => Object.fromEntries(p.part.map((x) => [x.name, x.valueCode ?? x.valueInteger ?? x.valueString])))
        .filter((a: { kind: string }) => a.kind === 'event-notification')
        .reverse();
      expect(attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'delivered']);
      expect(attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4]);
      expect(attempts[0]['http-status']).toBe(503);
      expect((await call(server.base, 'GET', `Subscription/${sub.id}`)).body.status).toBe('active');
    } finally {
      await flaky.stop();
    }
  }, 60_000);

  it('sends heartbeats at the requested period', async () => {
    const beat = await new Receiver().start();
    try {
      const sub = (await call(server.base, 'POST', 'Subscription', topicSubscription(beat.url, { filter: 'Task?status=rejected', heartbeat: 1 }))).body;
      await eventually(() => beat.ofType('heartbeat').length >= 2, 10_000, 'two heartbeats');
      expect(statusOf(beat.ofType('heartbeat')[0]!.body).subscription).toBe(`${server.base}/Subscription/${sub.id}`);
      await call(server.base, 'PUT', `Subscription/${sub.id}`, { ...(await call(server.base, 'GET', `Subscription/${sub.id}`)).body, status: 'off' });
    } finally {
      await beat.stop();
    }
  });
});
