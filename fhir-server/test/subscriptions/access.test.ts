import { jest } from '@jest/globals';
import { call } from '../support/http.js';
import { backendToken, bearer, useAuthServer } from '../support/auth.js';
import { eventually } from '../support/eventually.js';
import { Receiver, task, topicSubscription } from './receiver.js';

// Starting a server on a fresh database takes long on a busy shared machine (other suites run beside these).
jest.setTimeout(180_000);

// A subscription acts for the principal that wrote it: criteria (and full-resource payloads) see
// only what that principal may read, and writing a Subscription needs write access to it.
describe('subscription access on postgres', () => {
  const server = useAuthServer('postgres');
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('refuses a client without write access to Subscription', async () => {
    const { accessToken } = await backendToken(server, { scopes: 'system/Task.rs' });
    const refused = await call(server.base, 'POST', 'Subscription', topicSubscription(receiver.url), bearer(accessToken));
    expect(refused.status).toBe(403);
  });

  it('notifies only the changes its owner may read', async () => {
    const owner = await backendToken(server, { scopes: 'system/Subscription.cruds system/Task.rs?priority=urgent' });
    const writer = await backendToken(server, { scopes: 'system/Task.cruds' });
    const sub = await call(server.base, 'POST', 'Subscription', topicSubscription(receiver.url, { content: 'full-resource' }), bearer(owner.accessToken));
    expect(sub.status).toBe(201);
    await eventually(async () => (await call(server.base, 'GET', `Subscription/${sub.body.id}`, undefined, bearer(owner.accessToken))).body.status === 'active', 10_000, 'active');
    const hidden = (await call(server.base, 'POST', 'Task', task('requested', '常规', 'routine'), bearer(writer.accessToken))).body;
    const visible = (await call(server.base, 'POST', 'Task', task('requested', '紧急', 'urgent'), bearer(writer.accessToken))).body;
    const note = await eventually(() => receiver.ofType('event-notification')[0], 15_000, 'event');
    expect(note.body.entry[1].resource.id).toBe(visible.id);
    await new Promise((r) => setTimeout(r, 1000));
    const focused = receiver.ofType('event-notification').flatMap((r) => r.body.entry.slice(1).map((e: { fullUrl: string }) => e.fullUrl));
    expect(focused).not.toContain(`${server.base}/Task/${hidden.id}`);
    expect(focused).toHaveLength(1);
  });
});
