/**
 * Phase 1: one client, one request at a time. The queries take turns (one draw of each, then the
 * next draw of each), so a drift in the machine's speed spreads over all of them instead of
 * landing on the last. A paged query's draw is a walk down its `next` links; each page counts as
 * one request, and the deep pages are reported apart as well.
 */
import type { HttpClient } from '../http-client.js';
import { DEEP_PAGE, drawStream, type Facts, type SuiteQuery } from './queries.js';
import { measuredGet, recordDrawFailure } from './requests.js';
import { QueryStats } from './stats.js';

export interface QueryRow {
  /** The query's name, or `{name} pages N–M` for its deep pages. */
  name: string;
  title: string;
  stats: QueryStats;
}

/** About `requests` requests per query; rows in suite order, each paged query followed by its deep pages. */
export async function oneClient(client: HttpClient, suite: readonly SuiteQuery[], facts: Facts, requests: number, phase: string): Promise<QueryRow[]> {
  const rows = suite.map((query) => ({
    query,
    all: new QueryStats(),
    deep: query.pages !== undefined && query.pages >= DEEP_PAGE ? new QueryStats() : undefined,
    draws: Math.ceil(requests / (query.pages ?? 1)),
  }));
  const rounds = Math.max(...rows.map((r) => r.draws));
  for (let n = 0; n < rounds; n++) {
    for (const row of rows) {
      if (n >= row.draws) continue;
      let path: string | undefined;
      try {
        path = row.query.path(drawStream(phase, row.query.name, n), facts);
      } catch (error) {
        recordDrawFailure(error, [row.all]);
        continue;
      }
      for (let page = 1; path !== undefined && page <= (row.query.pages ?? 1); page++) {
        const stats = row.deep && page >= DEEP_PAGE ? [row.all, row.deep] : [row.all];
        path = (await measuredGet(client, path, true, stats))?.next;
      }
    }
  }
  return rows.flatMap((r) => [
    { name: r.query.name, title: r.query.title, stats: r.all },
    ...(r.deep ? [{ name: `${r.query.name} pages ${DEEP_PAGE}–${r.query.pages}`, title: `the same walk, pages ${DEEP_PAGE} to ${r.query.pages} only`, stats: r.deep }] : []),
  ]);
}
