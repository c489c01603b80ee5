/**
 * Phase 2: `CLIENTS` virtual users, each on its own keep-alive socket, running the whole suite in
 * turn for a fixed time (closed loop). Every query gets the same share of requests: a paged query
 * serves one page per turn, and the user goes on down its `next` links on its following turns.
 */
import type { CpuMeter, CpuUse } from '../cpu.js';
import { HttpClient } from '../http-client.js';
import { closedLoop } from '../load.js';
import { drawStream, type Facts, type SuiteQuery } from './queries.js';
import { measuredGet, recordDrawFailure } from './requests.js';
import { QueryStats, type StatsSummary } from './stats.js';

export const CLIENTS = 100;

export interface MixResult {
  clients: number;
  seconds: number;
  /** Answered 2xx requests per second. */
  throughput: number;
  total: StatsSummary;
  byQuery: { name: string; stats: StatsSummary }[];
  cpu?: CpuUse;
}

interface User {
  /** Index in the suite of the user's next query; users start at different ones. */
  position: number;
  draws: number;
  /** Where the user's walk of a paged query goes on. */
  walks: Map<string, { next: string; page: number }>;
}

export async function concurrentMix(baseUrl: string, suite: readonly SuiteQuery[], facts: Facts, durationMs: number, phase: string, cpu?: CpuMeter): Promise<MixResult> {
  const client = new HttpClient(baseUrl, CLIENTS);
  const total = new QueryStats();
  const stats = new Map(suite.map((q) => [q.name, new QueryStats()]));
  const users: User[] = Array.from({ length: CLIENTS }, (_, vu) => ({ position: vu % suite.length, draws: 0, walks: new Map() }));
  try {
    const result = await closedLoop({
      concurrency: CLIENTS,
      durationMs,
      cpu,
      async step(vu) {
        const user = users[vu] as User;
        const query = suite[user.position] as SuiteQuery;
        user.position = (user.position + 1) % suite.length;
        const record = [stats.get(query.name) as QueryStats, total];
        const walk = user.walks.get(query.name);
        let path = walk?.next;
        if (path === undefined) {
          try {
            path = query.path(drawStream(`${phase}-${vu}`, query.name, user.draws++), facts);
          } catch (error) {
            recordDrawFailure(error, record);
            return 1;
          }
        }
        // Only a paged query's answers are parsed: on two cores the client's CPU is the server's loss.
        const page = await measuredGet(client, path, query.pages !== undefined, record);
        const depth = walk?.page ?? 1;
        if (page?.next !== undefined && depth < (query.pages ?? 1)) user.walks.set(query.name, { next: page.next, page: depth + 1 });
        else user.walks.delete(query.name);
        return 1;
      },
    });
    const summary = total.summary();
    return {
      clients: CLIENTS,
      seconds: result.seconds,
      throughput: summary.ok / result.seconds,
      total: summary,
      byQuery: suite.map((q) => ({ name: q.name, stats: (stats.get(q.name) as QueryStats).summary() })),
      ...(result.cpu ? { cpu: result.cpu } : {}),
    };
  } finally {
    client.close();
  }
}
