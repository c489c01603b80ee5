import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, type Reply } from '../support/http.js';

/**
 * Pages whose keys come from the search indexes before any stored resource is read: a sort
 * walked down the sort index with the filters probed per entry, a code with an open value range
 * (the range probed per resource of the code), and a first page that counts its total in the same
 * statement. What they serve must be what the filters say — deleted and changed resources
 * included — once each, in order, with the first page's total.
 */

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const CODE = '2345-7';
const OTHER = '718-7';
const N = 24;
const pad = (n: number) => String(n).padStart(2, '0');

interface Row {
  id: string;
  code: string;
  /** Effective time; the sort key. */
  at: string;
  value: number;
  /** The code also in a local code system: a search by the code alone meets two index rows of the resource. */
  twice: boolean;
  patient: string;
}

/** 24 Observations: two codes, hours that repeat (ties go by id), values 1–12 mmol/L, three patients. */
const ROWS: Row[] = Array.from({ length: N }, (_, i) => ({
  id: `ix${pad((i * 7) % N)}`,
  code: i % 3 === 2 ? OTHER : CODE,
  at: new Date(Date.UTC(2024, 2, 1) + (i % 9) * 3_600_000).toISOString().replace('.000Z', 'Z'),
  value: 1 + (i % 12),
  twice: i % 4 === 1,
  patient: `ixp${i % 3}`,
}));

const observation = (row: Row) => ({
  resourceType: 'Observation',
  id: row.id,
  status: 'final',
  subject: { reference: `Patient/${row.patient}` },
  code: { coding: [{ system: LOINC, code: row.code }, ...(row.twice ? [{ system: 'http://example.org/lab', code: row.code }] : [])] },
  effectiveDateTime: row.at,
  valueQuantity: { value: row.value, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
});

const ids = (r: Reply): string[] => ((r.body?.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id);
const next = (r: Reply): string | undefined => (r.body?.link as { relation: string; url: string }[] | undefined)?.find((l) => l.relation === 'next')?.url;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe.each(BACKENDS)('index-driven pages on %s', (backend) => {
  const server = useTestServer(backend);
  /** The rows as they are after the changes below. */
  let live: Row[];

  async function pages(first: string): Promise<Reply[]> {
    const replies: Reply[] = [];
    let reply = await call(server.base, 'GET', first);
    for (;;) {
      expect(reply.status).toBe(200);
      replies.push(reply);
      const url = next(reply);
      if (!url || replies.length > N) return replies;
      reply = await call(server.base, 'GET', url.slice(server.base.length + 1));
    }
  }

  beforeAll(async () => {
    const patients = ['ixp0', 'ixp1', 'ixp2'].map((id) => ({ resourceType: 'Patient', id, name: [{ family: '索', given: [id] }] }));
    const r = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [...patients, ...ROWS.map(observation)].map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } })),
    });
    expect(r.status).toBe(200);
    // A deleted match and a match whose new version has the other code: neither may be served.
    const [gone, changed] = ROWS.filter((row) => row.code === CODE);
    expect((await call(server.base, 'DELETE', `Observation/${gone?.id}`)).status).toBe(200);
    const update = { ...(changed as Row), code: OTHER };
    expect((await call(server.base, 'PUT', `Observation/${update.id}`, observation(update))).status).toBe(200);
    live = ROWS.filter((row) => row.id !== gone?.id).map((row) => (row.id === update.id ? update : row));
  });

  it('walks a code sorted by -date three a page: each match once, newest first, ties by id, the first total on every page', async () => {
    const expected = live.filter((r) => r.code === CODE).sort((a, b) => (a.at === b.at ? cmp(b.id, a.id) : cmp(b.at, a.at)));
    const replies = await pages(`Observation?code=${encodeURIComponent(`${LOINC}|${CODE}`)}&_sort=-date&_count=3`);
    expect(replies.flatMap(ids)).toEqual(expected.map((r) => r.id));
    expect(replies.map((r) => r.body.total)).toEqual(replies.map(() => expected.length));
  });

  it('walks a patient and a code sorted by date: the filters of several index tables on the sort walk', async () => {
    const expected = live.filter((r) => r.code === CODE && r.patient === 'ixp1').sort((a, b) => (a.at === b.at ? cmp(a.id, b.id) : cmp(a.at, b.at)));
    expect(expected.length).toBeGreaterThan(2);
    const replies = await pages(`Observation?patient=Patient/ixp1&code=${encodeURIComponent(`${LOINC}|${CODE}`)}&_sort=date&_count=2`);
    expect(replies.flatMap(ids)).toEqual(expected.map((r) => r.id));
  });

  it('finds a code above a value (an open range probed per resource) once per resource, in id order, counted in the first statement', async () => {
    const expected = live.filter((r) => r.code === CODE && r.value > 6).map((r) => r.id).sort(cmp);
    expect(live.some((r) => r.twice && r.code === CODE && r.value > 6)).toBe(true);
    const query = `code=${CODE}&value-quantity=${encodeURIComponent(`gt6|${UCUM}|mmol/L`)}`;
    const replies = await pages(`Observation?${query}&_count=4`);
    expect(replies.flatMap(ids)).toEqual(expected);
    expect(replies.map((r) => r.body.total)).toEqual(replies.map(() => expected.length));
    const counted = await call(server.base, 'GET', `Observation?${query}&_summary=count`);
    expect(counted.body.total).toBe(expected.length);
  });

  it('finds a code in a date window (each `ge`/`le` read as two ranges) and in a window given with `le`', async () => {
    const from = '2024-03-01T02:00:00Z';
    const to = '2024-03-01T06:00:00Z';
    const code = encodeURIComponent(`${LOINC}|${CODE}`);
    const inWindow = (r: Row, last: (at: string) => boolean) => r.code === CODE && r.at >= from && last(r.at);
    const halfOpen = live.filter((r) => inWindow(r, (at) => at < to)).map((r) => r.id).sort(cmp);
    const closed = live.filter((r) => inWindow(r, (at) => at <= to)).map((r) => r.id).sort(cmp);
    expect(closed.length).toBeGreaterThan(halfOpen.length);
    const first = await pages(`Observation?code=${code}&date=ge${from}&date=lt${to}&_count=2`);
    expect(first.flatMap(ids)).toEqual(halfOpen);
    expect(first[0]?.body.total).toBe(halfOpen.length);
    const second = await pages(`Observation?code=${code}&date=ge${from}&date=le${to}&_count=50`);
    expect(second.flatMap(ids)).toEqual(closed);
  });

  it('answers a first page without matches with a total of 0', async () => {
    const reply = await call(server.base, 'GET', `Observation?code=${encodeURIComponent(`${LOINC}|${CODE}`)}&value-quantity=${encodeURIComponent(`gt99|${UCUM}|mmol/L`)}`);
    expect(reply.status).toBe(200);
    expect(reply.body.total).toBe(0);
    expect(ids(reply)).toEqual([]);
  });

  it('counts the patients of `_has` once each on the first page', async () => {
    const expected = [...new Set(live.filter((r) => r.code === OTHER).map((r) => r.patient))].sort(cmp);
    const reply = await call(server.base, 'GET', `Patient?_has:Observation:patient:code=${encodeURIComponent(`${LOINC}|${OTHER}`)}&_count=2`);
    expect(reply.status).toBe(200);
    expect(reply.body.total).toBe(expected.length);
    expect(ids(reply)).toEqual(expected.slice(0, 2));
  });
});
