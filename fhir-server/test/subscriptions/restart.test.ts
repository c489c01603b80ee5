import { jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import type { Resource } from '@medplum/fhirtypes';
import { Repository } from '../../src/repository/repository.js';
import { openDatabase, startServer, type RunningServer } from '../../src/server.js';
import { call } from '../support/http.js';
import { BACKENDS, createTestDatabase } from '../support/test-server.js';
import { eventually } from '../support/eventually.js';
import { Receiver, task, topicSubscription } from './receiver.js';

// Starting a server on a fresh database takes long on a busy shared machine (other suites run beside these).
jest.setTimeout(180_000);

const EVENTS = 6;

// Deliveries queued while the receiver is down survive a server restart: the new server on the
// same database delivers them, and the receiver, de-duplicating by event number, sees each once.
describe.each(BACKENDS)('delivery across a restart on %s', (backend) => {
  let dataDir: string;
  let config: Config;
  let running: RunningServer | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'qiao-sub-restart-'));
    config = {
      ...loadConfig({}),
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: backend === 'postgres' ? await createTestDatabase() : undefined,
      logLevel: (process.env.QIAO_TEST_LOG as Config['logLevel'] | undefined) ?? 'silent',
      demoData: false,
      dimsePort: null,
      installProfiles: false,
      auth: 'off',
    };
  });
  afterAll(async () => {
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers every queued event exactly once after de-duplication', async () => {
    const receiver = await new Receiver().start();
    running = await startServer(config);
    let base = `${running.url}/fhir`;
    const sub = (await call(base, 'POST', 'Subscription', topicSubscription(receiver.url, { filter: 'Task?status=ready' }))).body;
    await eventually(async () => (await call(base, 'GET', `Subscription/${sub.id}`)).body.status === 'active', 10_000, 'active');

    // The receiver goes down: every delivery fails and waits for its retry.
    receiver.reply = () => 503;
    for (let i = 0; i < EVENTS; i++) await call(base, 'POST', 'Task', task('ready', `任务 ${i}`));
    await eventually(() => new Set(receiver.ofType('event-notification').flatMap((r) => r.events)).size === EVENTS, 15_000, 'first attempts');
    await running.close();
    running = undefined;

    receiver.reply = () => 200;
    const before = receiver.received.length;
    running = await startServer(config);
    base = `${running.url}/fhir`;
    const delivered = () => new Set(receiver.received.slice(before).filter((r) => r.type === 'event-notification').flatMap((r) => r.events));
    await eventually(() => delivered().size === EVENTS, 40_000, 'deliveries after restart');
    expect([...delivered()].sort((a, b) => a - b)).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    expect(receiver.eventNumbers()).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    const status = await call(base, 'GET', `Subscription/${sub.id}/$status`);
    expect(status.body.entry[0].resource.parameter.find((p: { name: string }) => p.name === 'events-since-subscription-start').valueString).toBe(String(EVENTS));
    await receiver.stop();
  }, 150_000);

  it('matches at start a change committed while nothing was matching (a crash between commit and match)', async () => {
    const receiver = await new Receiver().start();
    running ??= await startServer(config);
    let base = `${running.url}/fhir`;
    const sub = (await call(base, 'POST', 'Subscription', topicSubscription(receiver.url, { filter: 'Task?status=received' }))).body;
    await eventually(async () => (await call(base, 'GET', `Subscription/${sub.id}`)).body.status === 'active', 10_000, 'active');
    await running.close();
    running = undefined;
    // The write commits through the repository with no engine listening: what a crash right after COMMIT leaves.
    const db = await openDatabase(config);
    const stored = await new Repository(db).create(db, task('received', '崩溃之间') as Resource);
    await db.close();
    running = await startServer(config);
    base = `${running.url}/fhir`;
    const note = await eventually(() => receiver.ofType('event-notification')[0], 20_000, 'caught-up event');
    expect(note.events).toEqual([1]);
    expect(note.body.entry[1].fullUrl).toBe(`${base}/Task/${stored.id}`);
    await receiver.stop();
  }, 150_000);
});
