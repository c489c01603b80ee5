import { call, type Reply } from '../support/http.js';

/** A small Bulk Data client over fetch, as an export client would drive the server. */

export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: unknown[];
}

export type Json = Record<string, unknown> & { resourceType: string; id: string };

export async function kickoff(base: string, path: string, params: [string, string][] = [], headers: Record<string, string> = { prefer: 'respond-async' }): Promise<Reply> {
  const query = new URLSearchParams(params).toString();
  return call(base, 'GET', `${path}${query ? `?${query}` : ''}`, undefined, headers);
}

/** Kicks off and returns the status URL, failing the test when the server did not accept. */
export async function start(base: string, path: string, params: [string, string][] = []): Promise<string> {
  const reply = await kickoff(base, path, params);
  if (reply.status !== 202) throw new Error(`kick-off ${path} answered ${reply.status}: ${reply.text}`);
  return reply.headers.get('content-location') as string;
}

/** Polls until the manifest arrives; every interim reply must be 202 with Retry-After and X-Progress. */
export async function poll(statusUrl: string, timeoutMs = 60_000): Promise<Manifest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(statusUrl);
    if (res.status === 200) {
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      return (await res.json()) as Manifest;
    }
    const text = await res.text();
    if (res.status !== 202) throw new Error(`status ${statusUrl} answered ${res.status}: ${text}`);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.headers.get('x-progress')).toBeTruthy();
    if (Date.now() > deadline) throw new Error(`export ${statusUrl} did not complete in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function download(url: string): Promise<Json[]> {
  const res = await fetch(url, { headers: { accept: 'application/fhir+ndjson' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/fhir+ndjson');
  const text = await res.text();
  expect(text.endsWith('\n')).toBe(true);
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Json);
}

/** Every file of a manifest, by type; also checks that each file holds the count the manifest states. */
export async function files(manifest: Manifest): Promise<Map<string, Json[]>> {
  const byType = new Map<string, Json[]>();
  for (const o of manifest.output) {
    const resources = await download(o.url);
    expect({ type: o.type, lines: resources.length }).toEqual({ type: o.type, lines: o.count });
    expect(resources.every((r) => r.resourceType === o.type)).toBe(true);
    byType.set(o.type, [...(byType.get(o.type) ?? []), ...resources]);
  }
  return byType;
}

export async function searchCount(base: string, path: string): Promise<number> {
  const reply = await call(base, 'GET', `${path}${path.includes('?') ? '&' : '?'}_summary=count`);
  expect(reply.status).toBe(200);
  return reply.body.total as number;
}
