#!/usr/bin/env node
/**
 * Entry point of `npm run bench:notify` (issue 9, "notification latency under load"): Qiao in a
 * child process on a throwaway PostgreSQL, one rest-hook subscriber (a loopback HTTP receiver in
 * this process) on the referral-task topic, and an open-loop writer creating matching Tasks at a
 * fixed rate. Latency is commit → receipt: the Task's `meta.lastUpdated` (stamped in the writing
 * transaction, same machine clock) to the moment its notification arrives. Reports p50/p95/p99,
 * notification throughput, lost and duplicate notifications, and the load average.
 *
 * Options: `--rate=50` (Tasks per second), `--seconds=20`, `--embedded` (PGlite instead of PostgreSQL).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../testing/throwaway-postgres.js';
import { codeRevision } from '../machine.js';
import { POSTGRES_SETTINGS } from '../postgres-settings.js';
import { script, startServerChild } from '../processes.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const rate = option('rate', 50);
const seconds = option('seconds', 20);
const embedded = args.includes('--embedded');
const TOPIC = 'https://qiao.health/fhir/SubscriptionTopic/referral-task';
const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
const started = performance.now();
const progress = (line: string) => process.stderr.write(`[bench:notify ${Math.round((performance.now() - started) / 1000)}s] ${line}\n`);
const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** Receipt times by Task id (first arrival) and how many arrivals each had. */
const receipts = new Map<string, { at: number; count: number }>();
let handshakes = 0;
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    res.end();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const bundle = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { entry: { fullUrl?: string; resource?: any }[] };
    const type = bundle.entry[0]?.resource?.parameter?.find((p: { name: string }) => p.name === 'type')?.valueCode;
    if (type === 'handshake') handshakes++;
    for (const e of bundle.entry.slice(1)) {
      const id = e.fullUrl?.split('/').pop() as string;
      const seen = receipts.get(id);
      if (seen) seen.count++;
      else receipts.set(id, { at, count: 1 });
    }
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const loadBefore = loadavg();
let pg: ThrowawayPostgres | undefined;
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'qiao-bench-notify-'));
const env: Record<string, string> = { QIAO_DEMO_DATA: 'off', QIAO_LOG_LEVEL: 'silent', QIAO_DIMSE_PORT: 'off', QIAO_AUTH: 'off', QIAO_INSTALL_PROFILES: 'off', QIAO_DATA_DIR: dataDir };
if (!embedded) {
  pg = await startThrowawayPostgres({ settings: { ...POSTGRES_SETTINGS } });
  env.DATABASE_URL = await pg.createDatabase('notify');
}
const qiao = await startServerChild(script('main.js'), env);
const base = `${qiao.url}/fhir`;
const json = { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json' };

try {
  const sub = (await (
    await fetch(`${base}/Subscription`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'bench',
        criteria: TOPIC,
        _criteria: { extension: [{ url: `${BACKPORT}/backport-filter-criteria`, valueString: 'Task?status=requested' }] },
        channel: { type: 'rest-hook', endpoint: hook, payload: 'application/fhir+json', _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: 'id-only' }] } },
      }),
    })
  ).json()) as { id: string };
  for (let i = 0; i < 100 && handshakes === 0; i++) await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 100; i++) {
    const s = (await (await fetch(`${base}/Subscription/${sub.id}`, { headers: json })).json()) as { status: string };
    if (s.status === 'active') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  progress(`subscription ${sub.id} active; writing ${rate} Tasks/s for ${seconds} s (${embedded ? 'PGlite' : 'PostgreSQL'})`);

  const committed = new Map<string, number>();
  const failed = new Map<string, number>();
  const fail = (why: string) => failed.set(why, (failed.get(why) ?? 0) + 1);
  const writes: Promise<void>[] = [];
  const t0 = Date.now();
  const total = rate * seconds;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    writes.push(
      fetch(`${base}/Task`, { method: 'POST', headers: json, body: JSON.stringify({ resourceType: 'Task', status: 'requested', intent: 'order', description: `bench ${i}` }) })
        .then(async (r) => {
          const body = (await r.json()) as { id: string; meta: { lastUpdated: string } };
          if (r.status !== 201) fail(`HTTP ${r.status}`);
          else committed.set(body.id, Date.parse(body.meta.lastUpdated));
        })
        .catch((error: unknown) => void fail((error as { cause?: { code?: string } }).cause?.code ?? 'network')),
    );
  }
  await Promise.all(writes);
  const writeSeconds = (Date.now() - t0) / 1000;
  const deadline = Date.now() + 60_000;
  while ([...committed.keys()].some((id) => !receipts.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 2000));
  const loadAfter = loadavg();

  const latencies = [...committed].flatMap(([id, at]) => (receipts.has(id) ? [(receipts.get(id)?.at as number) - at] : [])).sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  const lost = [...committed.keys()].filter((id) => !receipts.has(id)).length;
  const duplicates = [...receipts.values()].reduce((n, r) => n + r.count - 1, 0);
  const lastReceipt = Math.max(...[...receipts.values()].map((r) => r.at));
  const throughput = receipts.size / ((lastReceipt - t0) / 1000);
  const row = `| ${embedded ? 'PGlite' : 'PostgreSQL'} | ${rate}/s × ${seconds} s | ${(committed.size / writeSeconds).toFixed(1)}/s | ${throughput.toFixed(1)}/s | ${q(0.5)} | ${q(0.95)} | ${q(0.99)} | ${latencies.at(-1)} | ${lost} | ${duplicates} | ${[...failed.values()].reduce((a, b) => a + b, 0)}${failed.size ? ` (${[...failed].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''} | ${loadBefore} → ${loadAfter} |`;
  process.stdout.write(
    [
      `Code: ${codeRevision(fileURLToPath(new URL('../../../../', import.meta.url)))}; ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}; Node ${process.version}`,
      '',
      '| Database | Offered load | Writes committed | Notifications received | p50 ms | p95 ms | p99 ms | max ms | Lost | Duplicates | Failed writes | Load average (1/5/15 min) before → after |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      row,
      '',
    ].join('\n'),
  );
} finally {
  await qiao.stop();
  await pg?.stop();
  receiver.closeAllConnections();
  receiver.close();
  await rm(dataDir, { recursive: true, force: true });
}
