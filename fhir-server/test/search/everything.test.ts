import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue, type Reply } from '../support/http.js';

/**
 * `Patient/{id}/$everything`: the patient, its compartment, and what those resources reference;
 * nothing of another patient. `_type`, `_since` and `_count` as in the R4 OperationDefinition.
 */

const NATIONAL_ID = 'urn:oid:2.16.156.10011.1.1';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const ICD10_CN = 'urn:oid:2.16.156.10011.2.3.3.11';

type Json = Record<string, unknown> & { resourceType: string; id: string };
const ref = (key: string) => ({ reference: key });

const observation = (id: string, patient: string, code: string, display: string, value: number, unit: string, extra: Record<string, unknown> = {}): Json => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code, display }] },
  subject: ref(`Patient/${patient}`),
  effectiveDateTime: '2024-04-02T10:00:00+08:00',
  valueQuantity: { value, unit, system: UCUM, code: unit },
  ...extra,
});

const DATA: Json[] = [
  { resourceType: 'Organization', id: 'org-a', name: '杭州市第一人民医院' },
  { resourceType: 'Organization', id: 'org-b', name: '广州市中医院' },
  { resourceType: 'Practitioner', id: 'prac-a', name: [{ text: '王医生', family: '王' }] },
  { resourceType: 'Practitioner', id: 'prac-b', name: [{ text: '陈医生', family: '陈' }] },
  { resourceType: 'Practitioner', id: 'prac-unrelated', name: [{ text: '赵医生', family: '赵' }] },
  { resourceType: 'Medication', id: 'med-a', code: { text: '阿司匹林肠溶片' } },
  {
    resourceType: 'Patient',
    id: 'pat-a',
    identifier: [{ system: NATIONAL_ID, value: '330102198501010011' }],
    name: [{ text: '周杰', family: '周', given: ['杰'] }],
    gender: 'male',
    birthDate: '1985-01-01',
    managingOrganization: ref('Organization/org-a'),
    generalPractitioner: [ref('Practitioner/prac-a')],
  },
  {
    resourceType: 'Patient',
    id: 'pat-b',
    identifier: [{ system: NATIONAL_ID, value: '440104199002020022' }],
    name: [{ text: '林静', family: '林', given: ['静'] }],
    gender: 'female',
    birthDate: '1990-02-02',
    managingOrganization: ref('Organization/org-b'),
  },
  {
    resourceType: 'Encounter',
    id: 'enc-a1',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: ref('Patient/pat-a'),
    participant: [{ individual: ref('Practitioner/prac-a') }],
    serviceProvider: ref('Organization/org-a'),
  },
  observation('obs-a1', 'pat-a', '8480-6', 'Systolic blood pressure', 135, 'mm[Hg]', { encounter: ref('Encounter/enc-a1'), performer: [ref('Practitioner/prac-a')] }),
  observation('obs-a2', 'pat-a', '29463-7', 'Body weight', 72.5, 'kg'),
  {
    resourceType: 'Condition',
    id: 'cond-a1',
    subject: ref('Patient/pat-a'),
    encounter: ref('Encounter/enc-a1'),
    code: { coding: [{ system: ICD10_CN, code: 'I10.x00', display: '高血压' }] },
  },
  {
    resourceType: 'DiagnosticReport',
    id: 'dr-a1',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '85354-6', display: 'Blood pressure panel' }] },
    subject: ref('Patient/pat-a'),
    performer: [ref('Organization/org-a')],
    result: [ref('Observation/obs-a1')],
  },
  {
    resourceType: 'MedicationRequest',
    id: 'mr-a1',
    status: 'active',
    intent: 'order',
    medicationReference: ref('Medication/med-a'),
    subject: ref('Patient/pat-a'),
    requester: ref('Practitioner/prac-a'),
  },
  {
    resourceType: 'Encounter',
    id: 'enc-b1',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: ref('Patient/pat-b'),
    serviceProvider: ref('Organization/org-b'),
  },
  observation('obs-b1', 'pat-b', '8480-6', 'Systolic blood pressure', 118, 'mm[Hg]', { performer: [ref('Practitioner/prac-b')] }),
  { resourceType: 'Condition', id: 'cond-b1', subject: ref('Patient/pat-b'), code: { coding: [{ system: ICD10_CN, code: 'E11.900', display: '2型糖尿病' }] } },
  {
    resourceType: 'DiagnosticReport',
    id: 'dr-b1',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '85354-6', display: 'Blood pressure panel' }] },
    subject: ref('Patient/pat-b'),
    result: [ref('Observation/obs-b1')],
  },
  // For _since: a patient of its own, so that its writes do not disturb the other cases.
  { resourceType: 'Patient', id: 'pat-c', name: [{ text: '吴昊', family: '吴', given: ['昊'] }] },
  observation('obs-c1', 'pat-c', '29463-7', 'Body weight', 80, 'kg'),
  { resourceType: 'Condition', id: 'cond-c1', subject: ref('Patient/pat-c'), code: { coding: [{ system: ICD10_CN, code: 'I10.x00', display: '高血压' }] } },
];

const A_COMPARTMENT = ['Patient/pat-a', 'Encounter/enc-a1', 'Observation/obs-a1', 'Observation/obs-a2', 'Condition/cond-a1', 'DiagnosticReport/dr-a1', 'MedicationRequest/mr-a1'];
const A_REFERENCED = ['Practitioner/prac-a', 'Organization/org-a', 'Medication/med-a'];
const B_ALL = ['Patient/pat-b', 'Encounter/enc-b1', 'Observation/obs-b1', 'Condition/cond-b1', 'DiagnosticReport/dr-b1', 'Practitioner/prac-b', 'Organization/org-b'];

interface Entry {
  resource: { resourceType: string; id: string; meta: { lastUpdated: string } };
  search?: { mode: string };
}
const entriesOf = (r: Reply): Entry[] => (r.body?.entry ?? []) as Entry[];
const keys = (r: Reply, mode?: string) =>
  entriesOf(r)
    .filter((e) => mode === undefined || e.search?.mode === mode)
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`)
    .sort();
const link = (r: Reply, relation: string): string | undefined =>
  (r.body?.link as { relation: string; url: string }[] | undefined)?.find((l) => l.relation === relation)?.url;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(BACKENDS)('Patient $everything on %s', (backend) => {
  const server = useTestServer(backend);
  const get = (path: string) => call(server.base, 'GET', path);

  beforeAll(async () => {
    for (const resource of DATA) {
      const r = await call(server.base, 'PUT', `${resource.resourceType}/${resource.id}`, resource);
      if (r.status !== 201) throw new Error(`PUT ${resource.resourceType}/${resource.id}: ${r.status} ${r.text}`);
    }
  });

  it('returns the patient, its compartment and the resources they reference, nothing of another patient', async () => {
    const r = await get('Patient/pat-a/$everything');
    expect(r.status).toBe(200);
    expect(r.body.resourceType).toBe('Bundle');
    expect(r.body.type).toBe('searchset');
    expect(keys(r)).toEqual([...A_COMPARTMENT, ...A_REFERENCED].sort());
    expect(keys(r, 'match')).toEqual([...A_COMPARTMENT].sort());
    for (const key of [...B_ALL, 'Practitioner/prac-unrelated']) expect(keys(r)).not.toContain(key);
    // Every resource appears once.
    expect(new Set(keys(r)).size).toBe(keys(r).length);
    expect(link(r, 'self')).toContain('/Patient/pat-a/$everything');
  });

  it('is symmetrical for the other patient', async () => {
    const r = await get('Patient/pat-b/$everything');
    expect(r.status).toBe(200);
    expect(keys(r)).toEqual([...B_ALL].sort());
  });

  it('_type limits the resource types', async () => {
    const obs = await get('Patient/pat-a/$everything?_type=Observation');
    expect(obs.status).toBe(200);
    expect(keys(obs, 'match')).toEqual(['Observation/obs-a1', 'Observation/obs-a2']);
    const two = await get('Patient/pat-a/$everything?_type=Observation,Condition');
    expect(keys(two, 'match')).toEqual(['Condition/cond-a1', 'Observation/obs-a1', 'Observation/obs-a2']);
    const repeated = await get('Patient/pat-a/$everything?_type=Observation&_type=Condition');
    expect(keys(repeated, 'match')).toEqual(['Condition/cond-a1', 'Observation/obs-a1', 'Observation/obs-a2']);
  });

  it('_type=Observation returns Observations only (R4: "resource types to include in the return resources")', async () => {
    const r = await get('Patient/pat-a/$everything?_type=Observation');
    expect(r.status).toBe(200);
    expect([...new Set(entriesOf(r).map((e) => e.resource.resourceType))]).toEqual(['Observation']);
  });

  it('_since keeps what changed since the instant', async () => {
    const before = await get('Patient/pat-c/$everything');
    expect(keys(before, 'match')).toEqual(['Condition/cond-c1', 'Observation/obs-c1', 'Patient/pat-c']);
    const latest = Math.max(...entriesOf(before).map((e) => Date.parse(e.resource.meta.lastUpdated)));
    await sleep(30);
    const updated = await call(server.base, 'PUT', 'Observation/obs-c1', { ...(DATA.find((d) => d.id === 'obs-c1') as Json), valueQuantity: { value: 79, unit: 'kg', system: UCUM, code: 'kg' } });
    expect(updated.status).toBe(200);
    const created = await call(server.base, 'POST', 'Observation', observation('ignored', 'pat-c', '8480-6', 'Systolic blood pressure', 142, 'mm[Hg]'));
    expect(created.status).toBe(201);
    const since = new Date(latest + 1).toISOString();
    expect(Date.parse(updated.body.meta.lastUpdated)).toBeGreaterThan(latest);

    const r = await get(`Patient/pat-c/$everything?_since=${since}`);
    expect(r.status).toBe(200);
    expect(keys(r, 'match')).toEqual([`Observation/${created.body.id}`, 'Observation/obs-c1'].sort());
    expect(keys(r)).not.toContain('Condition/cond-c1');
    expect(link(r, 'self')).toContain('_since=');

    const future = await get(`Patient/pat-c/$everything?_since=${new Date(Date.now() + 86_400_000).toISOString()}`);
    expect(future.status).toBe(200);
    expect(keys(future, 'match')).toEqual([]);
    const all = await get('Patient/pat-c/$everything?_since=2000-01-01');
    expect(keys(all, 'match')).toEqual([`Observation/${created.body.id}`, 'Condition/cond-c1', 'Observation/obs-c1', 'Patient/pat-c'].sort());
  });

  it('_count pages with next links, every compartment resource served once', async () => {
    const pages: Reply[] = [];
    let r = await get('Patient/pat-a/$everything?_count=3');
    for (;;) {
      expect(r.status).toBe(200);
      pages.push(r);
      expect(keys(r, 'match').length).toBeLessThanOrEqual(3);
      const next = link(r, 'next');
      if (!next || pages.length > 10) break;
      expect(next.startsWith(`${server.base}/Patient/pat-a/$everything?`)).toBe(true);
      expect(next).toContain('_count=3');
      r = await get(next.slice(server.base.length + 1));
    }
    expect(pages).toHaveLength(Math.ceil(A_COMPARTMENT.length / 3));
    const matches = pages.flatMap((p) => keys(p, 'match'));
    expect(matches.sort()).toEqual([...A_COMPARTMENT].sort());
    const everything = new Set(pages.flatMap((p) => keys(p)));
    expect([...everything].sort()).toEqual([...A_COMPARTMENT, ...A_REFERENCED].sort());
    for (const page of pages) expect(page.body.total).toBe(A_COMPARTMENT.length);
  });

  it('answers 404 for an unknown patient and 410 for a deleted one', async () => {
    const unknown = await get('Patient/no-such-patient/$everything');
    expect(unknown.status).toBe(404);
    expect(firstIssue(unknown).severity).toBe('error');
    await call(server.base, 'PUT', 'Patient/pat-gone', { resourceType: 'Patient', id: 'pat-gone', name: [{ text: '郑离' }] });
    expect((await call(server.base, 'DELETE', 'Patient/pat-gone')).status).toBe(200);
    expect((await get('Patient/pat-gone/$everything')).status).toBe(410);
  });

  it('refuses bad parameters and other resource types', async () => {
    expect((await get('Patient/pat-a/$everything?_since=abc')).status).toBe(400);
    expect((await get('Patient/pat-a/$everything?_count=-1')).status).toBe(400);
    expect((await get('Patient/pat-a/$everything?_type=NoSuchType')).status).toBe(400);
    const observation = await get('Observation/obs-a1/$everything');
    expect(observation.status).toBeGreaterThanOrEqual(400);
    expect(observation.status).toBeLessThan(500);
  });
});
