import { Client, type FhirResource } from 'fhir-kit-client';

import { DEVELOPMENT_PRINCIPAL } from '../../src/auth/principal.js';
import { handle } from '../../src/router/router.js';
import type { Context } from '../../src/router/types.js';
import { call, type Reply } from '../support/http.js';
import { recordingStatements } from '../support/statements.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

/**
 * Keyset paging over HTTP: following `next` links serves every match once, in order, and keeps
 * doing so while resources are created and deleted between pages (docs/search.md, "Paging").
 */

const TAG = 'https://qiao.health/fhir/CodeSystem/test';
const N = 120;
const PAGE = 25;
const pad = (n: number) => String(n).padStart(3, '0');

interface Row {
  id: string;
  /** Sort value; undefined when the resource has none (those come last). */
  key: string | undefined;
}

/** 120 patients, ids scrambled against birth dates; 40 dates shared by 3 patients each, 6 without one. */
const PATIENTS: Row[] = Array.from({ length: N }, (_, i) => {
  const day = new Date(Date.UTC(1950, 0, 1) + (i % 40) * 97 * 86_400_000).toISOString().slice(0, 10);
  return { id: `pg${pad((i * 37) % N)}`, key: i < 114 ? day : undefined };
});

/** Observation times on the hour, 30 distinct hours (4 Observations each), 4 without a time. */
const observationRows = (prefix: string): Row[] =>
  Array.from({ length: N }, (_, i) => {
    const at = new Date(Date.UTC(2024, 0, 1, 0) + (i % 30) * 3_600_000).toISOString().replace('.000Z', 'Z');
    return { id: `${prefix}${pad((i * 53) % N)}`, key: i < 116 ? at : undefined };
  });

const patient = (row: Row) => ({
  resourceType: 'Patient',
  id: row.id,
  meta: { tag: [{ system: TAG, code: 'paging' }] },
  name: [{ text: `患者${row.id}`, family: '测', given: [row.id] }],
  ...(row.key ? { birthDate: row.key } : {}),
});

const observation = (row: Row, tag: string, code = '8867-4') => ({
  resourceType: 'Observation',
  id: row.id,
  meta: { tag: [{ system: TAG, code: tag }] },
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }], text: '心率' },
  valueQuantity: { value: 60 + (row.id.length % 40), unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  ...(row.key ? { effectiveDateTime: row.key } : {}),
});

/** Ascending by key (missing last), ties by id. */
const ascending = (a: Row, b: Row) =>
  a.key === b.key ? cmp(a.id, b.id) : a.key === undefined ? 1 : b.key === undefined ? -1 : cmp(a.key, b.key);
/** Descending by key (missing still last), ties by id ascending: `_sort=-date,_id`. */
const descending = (a: Row, b: Row) =>
  a.key === b.key ? cmp(a.id, b.id) : a.key === undefined ? 1 : b.key === undefined ? -1 : cmp(b.key, a.key);
/** Descending by key (missing still last), ties by id descending too: `_sort=-date` alone. */
const descendingOnly = (a: Row, b: Row) => (a.key === b.key ? cmp(b.id, a.id) : descending(a, b));
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A searchset as fhir-kit-client hands it back. */
type KitBundle = FhirResource & {
  total?: number;
  link: { relation: string; url: string }[];
  entry?: { resource: { id: string } }[];
};

const ids = (r: Reply): string[] => ((r.body?.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id);
const link = (r: Reply, relation: string): string | undefined =>
  (r.body?.link as { relation: string; url: string }[] | undefined)?.find((l) => l.relation === relation)?.url;

function duplicates(list: readonly string[]): string[] {
  const seen = new Set<string>();
  return list.filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

describe.each(BACKENDS)('paging on %s', (backend) => {
  const server = useTestServer(backend);

  /** Creates resources in one transaction of PUTs (ids chosen by the test). */
  async function putAll(resources: { resourceType: string; id: string }[]): Promise<void> {
    const r = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: resources.map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
    });
    if (r.status !== 200) throw new Error(`transaction: ${r.status} ${r.text.slice(0, 500)}`);
  }

  /** A `next` (or other) link is an absolute URL on this server; fetch it as a client would. */
  function follow(url: string): Promise<Reply> {
    expect(url.startsWith(`${server.base}/`) || url.startsWith(`${server.base}?`)).toBe(true);
    return call(server.base, 'GET', url.slice(server.base.length + 1));
  }

  /** Follows `next` from the first page; `between` runs after each page is read. */
  async function pageThrough(first: string, between?: (pageNumber: number, served: readonly string[]) => Promise<void>): Promise<{ served: string[]; pages: Reply[] }> {
    const served: string[] = [];
    const pages: Reply[] = [];
    let reply = await call(server.base, 'GET', first);
    for (let page = 1; ; page++) {
      expect({ page, status: reply.status }).toEqual({ page, status: 200 });
      expect(reply.body.type).toBe('searchset');
      expect(ids(reply).length).toBeLessThanOrEqual(PAGE);
      pages.push(reply);
      served.push(...ids(reply));
      const next = link(reply, 'next');
      if (!next || page > 2 * N) break;
      if (between) await between(page, served);
      reply = await follow(next);
    }
    return { served, pages };
  }

  beforeAll(async () => {
    await putAll(PATIENTS.map(patient));
    await putAll(observationRows('ob').map((row) => observation(row, 'paging')));
  });

  it('serves 120 patients sorted by birthdate, 25 a page, each exactly once and in order', async () => {
    const expected = [...PATIENTS].sort(ascending).map((r) => r.id);
    const { served, pages } = await pageThrough(`Patient?_tag=${TAG}|paging&_sort=birthdate&_count=${PAGE}`);
    expect(pages).toHaveLength(Math.ceil(N / PAGE));
    expect(duplicates(served)).toEqual([]);
    expect(served).toEqual(expected);
    for (const [k, page] of pages.entries()) {
      expect(page.body.total).toBe(N);
      expect(ids(page)).toHaveLength(k < pages.length - 1 ? PAGE : N - PAGE * (pages.length - 1));
      expect(link(page, 'self')).toBeDefined();
      if (k > 0) expect(link(page, 'first')).toBeDefined();
    }
    expect(link(pages[pages.length - 1] as Reply, 'next')).toBeUndefined();
    // The first link leads back to page one.
    const first = await follow(link(pages[2] as Reply, 'first') as string);
    expect(ids(first)).toEqual(expected.slice(0, PAGE));
  });

  it('lists the matches without a sort value last on a page that holds every match, asking for them only when the count says so', async () => {
    const statements = async (query: [string, string][]): Promise<number> => {
      const log: string[] = [];
      const ctx: Context = { ...server.ctx, db: recordingStatements(server.ctx.db, log) };
      expect((await handle(ctx, { method: 'GET', path: 'Patient', query, prefer: {}, baseUrl: server.base, principal: DEVELOPMENT_PRINCIPAL })).status).toBe(200);
      return log.filter((sql) => !/audit/i.test(sql)).length;
    };
    const all: [string, string][] = [['_tag', `${TAG}|paging`], ['_sort', 'birthdate'], ['_count', '200']];
    const dated: [string, string][] = [...all, ['birthdate', 'ge1900']];
    const search = (query: [string, string][]) => call(server.base, 'GET', `Patient?${new URLSearchParams(query).toString()}`);
    // 120 on one page, the 6 without a birth date last: a statement of their own finds them.
    expect(ids(await search(all))).toEqual([...PATIENTS].sort(ascending).map((r) => r.id));
    // The 114 with one: the count equals the page, so that statement is not sent.
    expect(ids(await search(dated))).toEqual(PATIENTS.filter((r) => r.key !== undefined).sort(ascending).map((r) => r.id));
    expect(await statements(dated)).toBe((await statements(all)) - 1);
  });

  it('serves 120 observations sorted by -date,_id, each exactly once and in order', async () => {
    const expected = observationRows('ob').sort(descending).map((r) => r.id);
    const { served, pages } = await pageThrough(`Observation?_tag=${TAG}|paging&_sort=-date,_id&_count=${PAGE}`);
    expect(pages).toHaveLength(Math.ceil(N / PAGE));
    expect(duplicates(served)).toEqual([]);
    expect(served).toEqual(expected);
  });

  it('pages in id order without _sort, and with _sort=_id or -_id', async () => {
    const byId = PATIENTS.map((r) => r.id).sort();
    expect((await pageThrough(`Patient?_tag=${TAG}|paging&_count=${PAGE}`)).served).toEqual(byId);
    expect((await pageThrough(`Patient?_tag=${TAG}|paging&_sort=_id&_count=${PAGE}`)).served).toEqual(byId);
    expect((await pageThrough(`Patient?_tag=${TAG}|paging&_sort=-_id&_count=${PAGE}`)).served).toEqual([...byId].reverse());
    // An odd page size and a page size of one over a slice.
    expect((await pageThrough(`Patient?_tag=${TAG}|paging&_sort=birthdate&_count=7`)).served).toEqual([...PATIENTS].sort(ascending).map((r) => r.id));
    const few = await pageThrough(`Patient?_tag=${TAG}|paging&_id=${byId.slice(0, 4).join(',')}&_sort=-birthdate&_count=1`);
    expect(few.pages).toHaveLength(4);
    expect(duplicates(few.served)).toEqual([]);
    expect(few.served.sort()).toEqual(byId.slice(0, 4));
  });

  it.each([
    { how: 'sorted by -date,_id', prefix: 'lv', code: '8867-4', sort: '_sort=-date,_id', order: descending, after: (id: string) => `${id}z` },
    // A code sorted by its date alone walks the code's pair rows (search/sql/pair-order.ts); ties go by id descending.
    { how: 'of one code sorted by -date', prefix: 'lc', code: '8310-5', sort: `code=${encodeURIComponent('http://loinc.org|8310-5')}&_sort=-date`, order: descendingOnly, after: (id: string) => `${id.slice(0, -1)}-${id.slice(-1)}` },
  ])('keeps to the cursor while resources are created and deleted between pages ($how)', async ({ prefix, code, sort, order: byOrder, after }) => {
    const tag = `live-${prefix}`;
    const original = observationRows(prefix);
    await putAll(original.map((row) => observation(row, tag, code)));
    const order = [...original].sort(byOrder);
    const deleted = new Set<string>();
    const ahead: Row[] = [];
    const behind: Row[] = [];
    let created = 0;

    const create = async (row: Row) => {
      const r = await call(server.base, 'PUT', `Observation/${row.id}`, observation(row, tag, code));
      expect(r.status).toBe(201);
    };
    const remove = async (row: Row) => {
      const r = await call(server.base, 'DELETE', `Observation/${row.id}`);
      expect(r.status).toBe(200);
      deleted.add(row.id);
    };

    const { served } = await pageThrough(`Observation?_tag=${TAG}|${tag}&${sort}&_count=${PAGE}`, async (page, servedSoFar) => {
      if (page > 3) return;
      const lastId = servedSoFar[servedSoFar.length - 1] as string;
      const lastServed = order.find((r) => r.id === lastId) as Row;
      const remaining = order.filter((r) => byOrder(r, lastServed) > 0 && !deleted.has(r.id));
      // Delete a few that are not yet served: the next one, some further on, and one near the end.
      for (const row of [remaining[0], ...remaining.slice(8, 11), remaining[remaining.length - 10]]) if (row) await remove(row);
      // Older than every time so far: sorts after the cursor, so must still be served.
      for (let k = 0; k < 2; k++) {
        const row = { id: `${prefix}new-a${created++}`, key: `2023-06-0${page}T0${k}:00:00Z` };
        ahead.push(row);
        await create(row);
      }
      // Newer than every time: sorts before the cursor, so it may be left out.
      const newer = { id: `${prefix}new-b${created++}`, key: `2025-01-0${page}T00:00:00Z` };
      behind.push(newer);
      await create(newer);
      // Ties with the last served entry's time with an id that orders after it: also ahead of the cursor.
      if (lastServed.key) {
        const tie = { id: after(lastServed.id), key: lastServed.key };
        ahead.push(tie);
        await create(tie);
      }
    });

    expect(deleted.size).toBeGreaterThanOrEqual(12);
    expect(ahead.length).toBeGreaterThanOrEqual(6);
    expect(duplicates(served)).toEqual([]);
    expect(served.filter((id) => deleted.has(id))).toEqual([]);
    const mustServe = [...original.filter((r) => !deleted.has(r.id)), ...ahead].map((r) => r.id).sort();
    const notBehind = served.filter((id) => !behind.some((b) => b.id === id)).sort();
    expect(notBehind).toEqual(mustServe);
    // And in sort order throughout.
    const rows = new Map([...original, ...ahead, ...behind].map((r) => [r.id, r]));
    const servedRows = served.map((id) => rows.get(id) as Row);
    expect(servedRows.map((r) => r.id)).toEqual([...servedRows].sort(byOrder).map((r) => r.id));
  });

  it('works with fhir-kit-client search and nextPage', async () => {
    const client = new Client({ baseUrl: server.base });
    const expected = [...PATIENTS].sort(ascending).map((r) => r.id);
    let bundle = (await client.search({
      resourceType: 'Patient',
      searchParams: { _tag: `${TAG}|paging`, _sort: 'birthdate', _count: PAGE },
    })) as KitBundle;
    const served: string[] = [];
    let pages = 0;
    for (;;) {
      pages++;
      expect(bundle.resourceType).toBe('Bundle');
      expect(bundle.total).toBe(N);
      served.push(...(bundle.entry ?? []).map((e) => e.resource.id));
      if (!bundle.link.some((l) => l.relation === 'next') || pages > 10) break;
      bundle = (await (client.nextPage({ bundle }) as Promise<FhirResource>)) as KitBundle;
    }
    expect(pages).toBe(Math.ceil(N / PAGE));
    expect(served).toEqual(expected);
  });
});
