import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue, type Reply } from '../support/http.js';

/**
 * What a search request may carry and how the answer says what it did: bad bytes, bodies that are
 * not parameters, parameters common to several types, empty alternatives, long `:iterate` chains,
 * composites and references without the value `:missing` asks about.
 */

const LOINC = 'http://loinc.org';
type Json = Record<string, unknown>;

const DATA: Json[] = [
  { resourceType: 'Patient', id: 'sr-li', name: [{ family: 'Li', given: ['Lei'] }], gender: 'female' },
  { resourceType: 'Patient', id: 'sr-wang', name: [{ family: 'Wang', given: ['Fang'] }], gender: 'male' },
  {
    resourceType: 'Observation',
    id: 'sr-quantity',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '2339-0' }] },
    subject: { reference: 'Patient/sr-li' },
    valueQuantity: { value: 5.4, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
  },
  {
    resourceType: 'Observation',
    id: 'sr-concept',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '2339-0' }] },
    subject: { reference: 'Patient/sr-li' },
    valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '260385009' }] },
  },
  { resourceType: 'Condition', id: 'sr-condition', code: { coding: [{ system: LOINC, code: '2339-0' }] }, subject: { reference: 'Patient/sr-wang' } },
  { resourceType: 'ValueSet', id: 'sr-vs', url: 'http://example.org/fhir/ValueSet/sr-glucose', status: 'active', compose: { include: [{ system: LOINC, concept: [{ code: '2339-0' }] }] } },
  { resourceType: 'ValueSet', id: 'sr-vs-loinc', url: 'http://example.org/fhir/ValueSet/sr-all-loinc', status: 'active', compose: { include: [{ system: LOINC }] } },
  {
    resourceType: 'CodeSystem',
    id: 'sr-cs',
    url: 'http://example.org/cs/sr-hier',
    status: 'active',
    content: 'complete',
    hierarchyMeaning: 'is-a',
    concept: [{ code: 'A', concept: [{ code: 'A1', concept: [{ code: 'A1a' }] }] }, { code: 'B' }],
  },
  ...['A', 'A1', 'A1a', 'B'].map((code) => ({ resourceType: 'Condition', id: `sr-local-${code}`, code: { coding: [{ system: 'http://example.org/cs/sr-hier', code }] }, subject: { reference: 'Patient/sr-wang' } })),
  { resourceType: 'Location', id: 'sr-beijing', name: '北京', position: { latitude: 39.9042, longitude: 116.4074 } },
  { resourceType: 'Location', id: 'sr-tianjin', name: '天津', position: { latitude: 39.3434, longitude: 117.3616 } },
  { resourceType: 'Location', id: 'sr-shanghai', name: '上海', position: { latitude: 31.2304, longitude: 121.4737 } },
  { resourceType: 'Location', id: 'sr-nowhere', name: '未定位' },
  // A chain of seven organisations, each part of the next.
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => ({ resourceType: 'Organization', id: `sr-org-${n}`, name: `Org ${n}`, ...(n < 7 ? { partOf: { reference: `Organization/sr-org-${n + 1}` } } : {}) })),
];

const ids = (r: Reply, mode = 'match') =>
  ((r.body.entry ?? []) as Json[])
    .filter((e) => (e.search as Json | undefined)?.mode === mode)
    .map((e) => (e.resource as Json).id as string)
    .sort();

describe.each(BACKENDS)('search requests on %s', (backend) => {
  const server = useTestServer(backend);
  const get = (path: string, headers: Record<string, string> = {}) => call(server.base, 'GET', path, undefined, headers);

  beforeAll(async () => {
    for (const resource of DATA) {
      const r = await call(server.base, 'PUT', `${String(resource.resourceType)}/${String(resource.id)}`, resource);
      if (r.status !== 201 && r.status !== 200) throw new Error(`PUT ${String(resource.id)}: ${r.status} ${r.text}`);
    }
  });

  it('a NUL in a POST _search form body is a 400 too', async () => {
    const r = await call(server.base, 'POST', 'Patient/_search', 'name=%00', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(400);
  });

  it.each(['application/json', 'application/fhir+json'])('POST _search with a %s body is refused rather than searching everything', async (type) => {
    const r = await call(server.base, 'POST', 'Patient/_search', { name: 'zzz' }, { 'content-type': type });
    expect(r.status).toBe(415);
    expect(firstIssue(r).details.text).toContain('application/x-www-form-urlencoded');
  });

  it('an empty alternative widens nothing: name=li, is name=li (name=, alone is refused, below)', async () => {
    expect(ids(await get('Patient?name=li,&_id=sr-li,sr-wang'))).toEqual(['sr-li']);
    expect(ids(await get('Patient?name=,li&_id=sr-li,sr-wang'))).toEqual(['sr-li']);
  });

  it.each([
    // A NUL, which PostgreSQL text cannot hold: a 400, not a database error.
    ['Patient?name=%00', 'name'],
    ['Patient?name=a%00b', 'name'],
    ['Patient?identifier=%00', 'identifier'],
    ['Patient?_content=a%00', '_content'],
    ['Observation?subject:Patient.name=%00', 'subject:Patient.name'],
    ['Patient?_has:Observation:subject:code=%00', '_has:Observation:subject:code'],
    ['Patient?name=,', 'name'],
    ['Patient?birthdate=2020-13-45', 'birthdate'],
    ['Patient?bogus=1', 'bogus'],
    ['Patient?name:foo=x', 'name:foo'],
    ['Patient?_count=abc', '_count'],
    ['Patient?_sort=bogus', '_sort'],
    ['Observation?value-quantity=abc', 'value-quantity'],
  ])('%s is a 400 whose outcome points at %s', async (query, param) => {
    const r = await get(query);
    expect(r.status).toBe(400);
    expect(firstIssue(r).expression).toEqual([param]);
  });

  it('a lenient search warns about each ignored parameter, by name', async () => {
    const r = await get('Patient?bogus=1&name=li&_id=sr-li,sr-wang', { Prefer: 'handling=lenient' });
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(['sr-li']);
    const outcome = ((r.body.entry as Json[]).find((e) => (e.search as Json).mode === 'outcome')?.resource ?? {}) as Json;
    expect(outcome.issue).toEqual([expect.objectContaining({ severity: 'warning', code: 'not-supported', expression: ['bogus'] })]);
    expect(r.body.link[0].url).not.toContain('bogus');
  });

  it('an empty page has no entry array (FHIR JSON has no empty arrays)', async () => {
    for (const query of ['Observation?_summary=count', 'Observation?_count=0', 'Observation?code=no-such-code']) {
      const r = await get(query);
      expect(r.status).toBe(200);
      expect(r.body).not.toHaveProperty('entry');
    }
  });

  it('a system search limited by _type takes the parameters its types share', async () => {
    const r = await get(`?_type=Observation,Condition&code=${LOINC}|2339-0`);
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(['sr-concept', 'sr-condition', 'sr-quantity']);
    expect(ids(await get('?_type=Observation,Condition&patient=sr-li'))).toEqual(['sr-concept', 'sr-quantity']);
    const notShared = await get('?_type=Patient,Observation&gender=male');
    expect(notShared.status).toBe(400);
    expect(firstIssue(notShared).expression).toEqual(['gender']);
  });

  it('a composite is missing where its item lacks a component of its type', async () => {
    const missing = (param: string, value: boolean) => get(`Observation?_id=sr-quantity,sr-concept&${param}:missing=${value}`).then((r) => ids(r));
    expect(await missing('code-value-quantity', false)).toEqual(['sr-quantity']);
    expect(await missing('code-value-quantity', true)).toEqual(['sr-concept']);
    expect(await missing('code-value-concept', false)).toEqual(['sr-concept']);
    expect(await missing('code-value-concept', true)).toEqual(['sr-quantity']);
  });

  it(':in and :not-in take a value set stored on the server', async () => {
    expect(ids(await get('Observation?_id=sr-quantity,sr-concept&code:in=http://example.org/fhir/ValueSet/sr-glucose'))).toEqual(['sr-concept', 'sr-quantity']);
    expect(ids(await get('Observation?_id=sr-quantity,sr-concept&code:not-in=http://example.org/fhir/ValueSet/sr-glucose'))).toEqual([]);
    // All of LOINC is not held here: its codes cannot be listed, so the search is refused rather than answered short.
    const whole = await get('Observation?code:in=http://example.org/fhir/ValueSet/sr-all-loinc');
    expect(whole.status).toBe(400);
    expect(firstIssue(whole).expression).toEqual(['code:in']);
  });

  it(':below and :above follow the hierarchy of a code system stored on the server', async () => {
    const system = 'http://example.org/cs/sr-hier';
    expect(ids(await get(`Condition?code:below=${system}|A`))).toEqual(['sr-local-A', 'sr-local-A1', 'sr-local-A1a']);
    expect(ids(await get(`Condition?code:below=${system}|A1`))).toEqual(['sr-local-A1', 'sr-local-A1a']);
    expect(ids(await get(`Condition?code:above=${system}|A1a`))).toEqual(['sr-local-A', 'sr-local-A1', 'sr-local-A1a']);
    expect((await get(`Condition?code:below=${system}|Z`)).status).toBe(400);
  });

  it.each(['*', '*:*'])('_revinclude=%s adds whatever references the matches, but the audit trail', async (value) => {
    const r = await get(`Patient?_id=sr-li&_revinclude=${value}`);
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(['sr-li']);
    expect(ids(r, 'include')).toEqual(['sr-concept', 'sr-quantity']);
  });

  it.each([
    // Beijing–Tianjin is about 114 km on the great circle.
    ['39.9042|116.4074|50|km', ['sr-beijing']],
    ['39.9042|116.4074|150|km', ['sr-beijing', 'sr-tianjin']],
    ['39.9042|116.4074|120000|m', ['sr-beijing', 'sr-tianjin']],
    ['39.9042|116.4074|100000|m', ['sr-beijing']],
    ['39.9042|116.4074', ['sr-beijing']],
    ['31.2|121.45|5|[mi_i]', ['sr-shanghai']],
    ['31.2|121.45|1|km,39.3|117.3|10', ['sr-tianjin']],
  ])('Location?near=%s', async (value, expected) => {
    expect(ids(await get(`Location?near=${encodeURIComponent(value)}&_id=sr-beijing,sr-tianjin,sr-shanghai,sr-nowhere`))).toEqual(expected);
  });

  it('near:missing, and a near that is not a point on the globe', async () => {
    expect(ids(await get('Location?near:missing=true&_id=sr-beijing,sr-tianjin,sr-shanghai,sr-nowhere'))).toEqual(['sr-nowhere']);
    for (const value of ['abc', '91|0', '39.9|116.4|10|kg']) {
      const r = await get(`Location?near=${encodeURIComponent(value)}`);
      expect(r.status).toBe(400);
      expect(firstIssue(r).expression).toEqual(['near']);
    }
  });

  it(':iterate follows a chain longer than a few rounds to its end', async () => {
    const r = await get('Organization?_id=sr-org-1&_include:iterate=Organization:partof');
    expect(r.status).toBe(200);
    expect(ids(r, 'include')).toEqual(['sr-org-2', 'sr-org-3', 'sr-org-4', 'sr-org-5', 'sr-org-6', 'sr-org-7']);
    expect(ids(r, 'outcome')).toEqual([]);
    const back = await get('Organization?_id=sr-org-7&_revinclude:iterate=Organization:partof');
    expect(ids(back, 'include')).toEqual(['sr-org-1', 'sr-org-2', 'sr-org-3', 'sr-org-4', 'sr-org-5', 'sr-org-6']);
  });
});
