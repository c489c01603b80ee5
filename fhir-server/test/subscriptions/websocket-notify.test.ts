import { jest } from '@jest/globals';
import WebSocket from 'ws';
import { call } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { eventually } from '../support/eventually.js';
import { statusOf, task, topicSubscription } from './receiver.js';

// Starting a server on a fresh database takes long on a busy shared machine (other suites run beside these).
jest.setTimeout(180_000);

const DELIVERY = 'https://qiao.health/fhir/StructureDefinition/notification-delivery';

describe.each(BACKENDS)('websocket subscriptions and notifications to people on %s', (backend) => {
  const server = useTestServer(backend);

  it('binds a websocket with a token from $get-ws-binding-token and pushes handshake and events', async () => {
    const sub = (await call(server.base, 'POST', 'Subscription', topicSubscription('', { type: 'websocket', filter: 'Task?status=accepted', content: 'full-resource' }))).body;
    expect(sub.status).toBe('active');
    const token = (await call(server.base, 'POST', `Subscription/${sub.id}/$get-ws-binding-token`, { resourceType: 'Parameters' })).body;
    const value = (name: string) => token.parameter.find((p: { name: string }) => p.name === name);
    expect(value('subscription').valueString).toBe(`${server.base}/Subscription/${sub.id}`);
    const socket = new WebSocket(value('websocket-url').valueUrl);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const messages: any[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    try {
      await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
      socket.send(`bind-with-token ${value('token').valueString}`);
      await eventually(() => messages.find((m) => statusOf(m).type === 'handshake'), 10_000, 'handshake');
      const created = (await call(server.base, 'POST', 'Task', task('accepted', '接诊'))).body;
      const event = await eventually(() => messages.find((m) => statusOf(m).type === 'event-notification'), 10_000, 'event');
      expect(statusOf(event).events).toEqual([1]);
      expect(event.entry[1].resource.id).toBe(created.id);
    } finally {
      socket.close();
    }
    const bad = new WebSocket(value('websocket-url').valueUrl);
    const closed = new Promise<number>((resolve) => bad.once('close', (code) => resolve(code)));
    bad.once('open', () => bad.send('bind-with-token not-a-token'));
    expect(await closed).toBe(4401);
  });

  it('sends a Communication through the logging sender and records the outcome on it', async () => {
    const doctor = (await call(server.base, 'POST', 'Practitioner', { resourceType: 'Practitioner', name: [{ text: '王医生' }], telecom: [{ system: 'phone', value: '13800000000' }] })).body;
    const patient = (await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '李四' }] })).body;
    const sent = (
      await call(server.base, 'POST', 'Communication', {
        resourceType: 'Communication',
        status: 'preparation',
        priority: 'urgent',
        recipient: [{ reference: `Practitioner/${doctor.id}` }],
        payload: [{ contentString: '转诊申请待审批 | a referral awaits approval' }],
      })
    ).body;
    const done = await eventually(async () => {
      const c = (await call(server.base, 'GET', `Communication/${sent.id}`)).body;
      return c.status === 'completed' ? c : undefined;
    }, 20_000, 'completed');
    const outcome = done.extension.find((e: { url: string }) => e.url === DELIVERY);
    const part = (name: string) => outcome.extension.find((e: { url: string }) => e.url === name);
    expect(part('recipient').valueReference.reference).toBe(`Practitioner/${doctor.id}`);
    expect(part('sender').valueCode).toBe('logging');
    expect(part('outcome').valueCode).toBe('sent');
    expect(done.sent).toBeDefined();

    const unreachable = (
      await call(server.base, 'POST', 'Communication', {
        resourceType: 'Communication',
        status: 'in-progress',
        recipient: [{ reference: `Patient/${patient.id}` }],
        payload: [{ contentString: '请复诊 | please come back' }],
      })
    ).body;
    const notDone = await eventually(async () => {
      const c = (await call(server.base, 'GET', `Communication/${unreachable.id}`)).body;
      return c.status === 'not-done' ? c : undefined;
    }, 20_000, 'not-done');
    expect(notDone.statusReason.text).toMatch(/未能送达.*no recipient could be reached/);
    expect(notDone.extension[0].extension.find((e: { url: string }) => e.url === 'outcome').valueCode).toBe('no-address');
  });
});
