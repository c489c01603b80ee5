/**
 * The query-plan pass. PostgreSQL runs with auto_explain loaded but off (a threshold of -1), so it
 * costs the timed phases nothing. This pass starts another Qiao whose connections turn it on for
 * every statement (the `options` connection parameter; the benchmark connects as a superuser),
 * sends each chosen request once to warm up and once more, and takes that second request's
 * statements and EXPLAIN ANALYZE plans from the server log. The pass sends one request at a
 * time, so what the log gains meanwhile belongs to that request.
 */
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectStatus, HttpClient } from '../http-client.js';
import { startQiao } from '../processes.js';

/** Server settings that make auto_explain's plans complete, and leave it off until a session turns it on. */
export const AUTO_EXPLAIN_SETTINGS: Readonly<Record<string, string>> = {
  shared_preload_libraries: 'auto_explain',
  'auto_explain.log_min_duration': '-1',
  'auto_explain.log_analyze': 'on',
  'auto_explain.log_buffers': 'on',
  'auto_explain.log_format': 'text',
};

/** Statements shown per query: the longest ones. */
const STATEMENTS = 3;
/** auto_explain writes a plan when the statement ends, which can be just after the client has its rows. */
const LOG_SETTLE_MS = 300;

export interface QueryPlan {
  name: string;
  path: string;
  /** The request's time under auto_explain (instrumented, so slower than in the timed phases). */
  ms: number;
  /** The request's longest statements: each auto_explain entry, `Query Text:` first. */
  statements: { durationMs: number; plan: string }[];
  /** Why there is no plan, when there is none. */
  error?: string;
}

export async function explainRequests(databaseUrl: string, logFile: string, requests: { name: string; path: string }[]): Promise<QueryPlan[]> {
  const url = new URL(databaseUrl);
  url.searchParams.set('options', '-c auto_explain.log_min_duration=0');
  const qiao = await startQiao(url.toString(), []);
  const client = new HttpClient(qiao.url, 1);
  try {
    const plans: QueryPlan[] = [];
    for (const { name, path } of requests) {
      try {
        await client.request('GET', path);
        const offset = (await stat(logFile)).size;
        const sent = performance.now();
        expectStatus(await client.request('GET', path), 200, `GET ${path}`);
        const ms = performance.now() - sent;
        await sleep(LOG_SETTLE_MS);
        const statements = parsePlans(await readFrom(logFile, offset)).sort((a, b) => b.durationMs - a.durationMs).slice(0, STATEMENTS);
        plans.push({ name, path, ms, statements });
      } catch (error) {
        plans.push({ name, path, ms: 0, statements: [], error: (error as Error).message });
      }
    }
    return plans;
  } finally {
    client.close();
    await qiao.stop();
  }
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await open(file);
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** auto_explain entries of a stderr log: `… LOG:  duration: 1.234 ms  plan:` and the lines the server indents with a tab. */
export function parsePlans(log: string): { durationMs: number; plan: string }[] {
  const plans: { durationMs: number; lines: string[] }[] = [];
  let current: { durationMs: number; lines: string[] } | undefined;
  for (const line of log.split('\n')) {
    const start = /\bLOG:\s+duration: ([\d.]+) ms\s+plan:\s*$/.exec(line);
    if (start) plans.push((current = { durationMs: Number(start[1]), lines: [] }));
    else if (current && line.startsWith('\t')) current.lines.push(line.slice(1));
    else current = undefined;
  }
  return plans.map((p) => ({ durationMs: p.durationMs, plan: p.lines.join('\n') }));
}
