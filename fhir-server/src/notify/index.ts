import type { Communication, Resource } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../auth/principal.js';
import type { Logger } from '../http/logger.js';
import { jobQueueOf } from '../jobs/index.js';
import { dispatch } from '../router/router.js';
import { RawJson, type Context } from '../router/types.js';
import { NOTIFY_JOB, TO_SEND, sendCommunication } from './communication.js';
import { configuredSenders } from './senders.js';

/**
 * Notifications to people. Workflows only create Communications (the contract is in
 * docs/subscriptions.md); every committed Communication waiting to be sent becomes one job (keyed
 * by its version, so the start-up sweep and the change feed cannot send it twice).
 */
export async function startNotifier(ctx: Context, logger: Logger): Promise<{ close(): void }> {
  const senders = configuredSenders(ctx.config.notifySenders, logger);
  const jobs = jobQueueOf(ctx);
  const baseUrl = `${ctx.config.baseUrl ?? 'http://localhost'}/fhir`;
  const enqueue = (id: string, versionId: string) =>
    jobs.enqueue(NOTIFY_JOB, { id }, { singletonKey: `${id}@${versionId}`, retryLimit: 4, backoffSeconds: 5 }).catch((error: unknown) => logger.log('error', 'notification not queued', { id, error: String(error) }));
  await jobs.work<{ id: string }>(NOTIFY_JOB, (job) => sendCommunication(ctx, senders, job, baseUrl), { concurrency: 2 });
  const unsubscribe = ctx.repo.changes.subscribe((change) => {
    if (change.resourceType !== 'Communication' || change.json === null) return;
    const c = JSON.parse(change.json) as Communication;
    if (TO_SEND.includes(c.status)) void enqueue(change.id, change.versionId);
  });
  // Communications committed while the server was down (or before their job was stored).
  const reply = await dispatch(ctx, ctx.db, { method: 'GET', path: 'Communication', query: [['status', TO_SEND.join(',')], ['_count', '1000']], prefer: {}, baseUrl, principal: SYSTEM_PRINCIPAL });
  for (const entry of (reply.body as { entry?: { resource?: Resource | RawJson }[] } | undefined)?.entry ?? []) {
    const r = entry.resource instanceof RawJson ? (JSON.parse(entry.resource.text) as Resource) : entry.resource;
    if (r?.resourceType === 'Communication' && r.id) await enqueue(r.id, r.meta?.versionId ?? '');
  }
  return { close: unsubscribe };
}
