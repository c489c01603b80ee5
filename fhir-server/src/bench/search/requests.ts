/** One measured search request, recorded in the stats it counts towards. */
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { HttpClient, HttpResponse } from '../http-client.js';
import type { QueryStats } from './stats.js';

const HEADERS = { Accept: 'application/fhir+json' };

export interface Page {
  /** `Bundle.total`, or the entries that are matches when there is no total. */
  matches?: number;
  /** Path of the `next` link. */
  next?: string;
}

/**
 * GETs `path` and records the latency (to the last byte of the body) or the error in each of
 * `stats`. Resolves to the page for a 2xx, read from the body when `parse` is set (parsing is
 * outside the timing), and to undefined for a failure.
 */
export async function measuredGet(client: HttpClient, path: string, parse: boolean, stats: QueryStats[]): Promise<Page | undefined> {
  const sent = performance.now();
  let response: HttpResponse;
  try {
    response = await client.request('GET', path, undefined, HEADERS);
  } catch (error) {
    for (const s of stats) s.error('network error', (error as Error).message);
    return undefined;
  }
  const ms = performance.now() - sent;
  if (response.status < 200 || response.status >= 300) {
    const message = outcomeText(response.text);
    for (const s of stats) s.error(`HTTP ${response.status}`, message);
    return undefined;
  }
  const page = parse ? readPage(response.text) : {};
  for (const s of stats) s.ok(ms, path, page.matches);
  return page;
}

/** Records that no request could be made: the sampled data had nothing for the query to ask. */
export function recordDrawFailure(error: unknown, stats: QueryStats[]): void {
  for (const s of stats) s.error('no parameters', (error as Error).message);
}

function readPage(text: string): Page {
  const bundle = JSON.parse(text) as Bundle;
  const matches = bundle.total ?? bundle.entry?.filter((e) => e.search?.mode !== 'include' && e.search?.mode !== 'outcome').length ?? 0;
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  if (next === undefined) return { matches };
  const url = new URL(next);
  return { matches, next: `${url.pathname}${url.search}` };
}

/** What an OperationOutcome says, or the start of whatever else the body is. */
function outcomeText(text: string): string {
  try {
    const issue = (JSON.parse(text) as OperationOutcome).issue?.[0];
    const said = issue?.diagnostics ?? issue?.details?.text ?? issue?.code;
    if (said) return said;
  } catch {
    // Not JSON: the body as it is.
  }
  return text.slice(0, 200);
}
