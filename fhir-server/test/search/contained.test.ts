import { jest } from '@jest/globals';
import { backendToken, bearer, userToken, useAuthServer } from '../support/auth.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue, type Reply } from '../support/http.js';

// Logins through the real pages on a busy machine.
jest.setTimeout(120_000);

/**
 * `_contained` and `_containedType` over HTTP (docs/search.md, "Contained resources"): contained
 * resources are searched as resources of their own type, answered by their container or by
 * themselves, and follow their container through updates, deletes and `$reindex`.
 */

const DRUG = 'https://qiao.health/fhir/CodeSystem/test-drug';
const aspirin = `${DRUG}|aspirin`;

const organisation = (id: string, name: string) => ({ resourceType: 'Organization', id, name });

const medication = (id: string, code: string, manufacturer?: string) => ({
  resourceType: 'Medication',
  id,
  code: { coding: [{ system: DRUG, code }] },
  ...(manufacturer ? { manufacturer: { reference: `Organization/${manufacturer}` } } : {}),
});

const practitioner = (id: string, family: string, given: string) => ({ resourceType: 'Practitioner', id, name: [{ family, given: [given], text: `${family}${given}` }] });

const request = (id: string, contained: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  resourceType: 'MedicationRequest',
  id,
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/ct-pat' },
  contained,
  medicationReference: { reference: `#${(contained[0] as { id: string }).id}` },
  ...extra,
});

/** rx1 holds aspirin from org1 and a 张 practitioner; rx2 holds ibuprofen from org2; rx3 holds paracetamol (org2) and aspirin (org1). */
const RESOURCES = [
  organisation('ct-org1', '甲药厂'),
  organisation('ct-org2', '乙药厂'),
  { resourceType: 'Patient', id: 'ct-pat', name: [{ family: '王', given: ['芳'] }] },
  medication('ct-med-top', 'aspirin', 'ct-org1'),
  practitioner('ct-prac-top', '李', '四'),
  request('ct-rx1', [medication('med', 'aspirin', 'ct-org1'), practitioner('doc', '张', '三')], { requester: { reference: '#doc' } }),
  request('ct-rx2', [medication('med', 'ibuprofen', 'ct-org2')]),
  request('ct-rx3', [medication('m1', 'paracetamol', 'ct-org2'), medication('m2', 'aspirin', 'ct-org1')]),
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Entry = { fullUrl: string; resource: any; search?: { mode: string } };
const matches = (r: Reply): Entry[] => ((r.body?.entry ?? []) as Entry[]).filter((e) => e.search?.mode === 'match');
/** `Type/id` of each match, in the order served. */
const keys = (r: Reply): string[] => matches(r).map((e) => `${e.resource.resourceType}/${e.resource.id}`);
const sorted = (values: string[]) => [...values].sort();

describe.each(BACKENDS)('_contained on %s', (backend) => {
  const server = useTestServer(backend);
  const get = (path: string, headers: Record<string, string> = {}) => call(server.base, 'GET', path, undefined, headers);

  beforeAll(async () => {
    for (const resource of RESOURCES) {
      const r = await call(server.base, 'PUT', `${resource.resourceType}/${resource.id}`, resource);
      expect([200, 201]).toContain(r.status);
    }
  });

  it('by default, and with _contained=false, only top-level resources match', async () => {
    for (const query of [`Medication?code=${aspirin}`, `Medication?code=${aspirin}&_contained=false`]) {
      const r = await get(query);
      expect(r.status).toBe(200);
      expect(keys(r)).toEqual(['Medication/ct-med-top']);
      expect(r.body.total).toBe(1);
    }
    expect(keys(await get(`Practitioner?name=${encodeURIComponent('张')}`))).toEqual([]);
  });

  it('_contained=true answers a contained match with its container (token)', async () => {
    const r = await get(`Medication?code=${aspirin}&_contained=true`);
    expect(r.status).toBe(200);
    expect(keys(r)).toEqual(['MedicationRequest/ct-rx1', 'MedicationRequest/ct-rx3']);
    expect(r.body.total).toBe(2);
    expect(matches(r)[0]?.fullUrl).toBe(`${server.base}/MedicationRequest/ct-rx1`);
    expect(r.body.link.find((l: { relation: string }) => l.relation === 'self').url).toContain('_contained=true');
  });

  it('_contained=both answers top-level and contained matches, a container once', async () => {
    const r = await get(`Medication?code=${aspirin}&_contained=both`);
    expect(sorted(keys(r))).toEqual(['Medication/ct-med-top', 'MedicationRequest/ct-rx1', 'MedicationRequest/ct-rx3']);
    expect(r.body.total).toBe(3);
    // rx3 contains two Medications, one of them aspirin: every Medication of it is still one container.
    const all = await get('Medication?_contained=true');
    expect(keys(all)).toEqual(['MedicationRequest/ct-rx1', 'MedicationRequest/ct-rx2', 'MedicationRequest/ct-rx3']);
  });

  it('_containedType=contained answers the contained resource itself, addressed inside its container', async () => {
    const r = await get(`Medication?code=${aspirin}&_contained=true&_containedType=contained`);
    expect(r.status).toBe(200);
    const entries = matches(r);
    expect(entries.map((e) => e.fullUrl)).toEqual([`${server.base}/MedicationRequest/ct-rx1#med`, `${server.base}/MedicationRequest/ct-rx3#m2`]);
    expect(entries.map((e) => e.resource)).toEqual([medication('med', 'aspirin', 'ct-org1'), medication('m2', 'aspirin', 'ct-org1')]);
    const both = await get(`Medication?code=${aspirin}&_contained=both&_containedType=contained`);
    expect(matches(both).map((e) => e.fullUrl)).toEqual([
      `${server.base}/Medication/ct-med-top`,
      `${server.base}/MedicationRequest/ct-rx1#med`,
      `${server.base}/MedicationRequest/ct-rx3#m2`,
    ]);
    expect(both.body.total).toBe(3);
  });

  it('a string parameter (Chinese name) finds a contained Practitioner; _id names its local id', async () => {
    const r = await get(`Practitioner?name=${encodeURIComponent('张')}&_contained=true&_containedType=container`);
    expect(keys(r)).toEqual(['MedicationRequest/ct-rx1']);
    const itself = await get(`Practitioner?name=${encodeURIComponent('张三')}&_contained=true&_containedType=contained`);
    expect(matches(itself).map((e) => e.fullUrl)).toEqual([`${server.base}/MedicationRequest/ct-rx1#doc`]);
    expect(matches(itself)[0]?.resource.name[0].family).toBe('张');
    expect(keys(await get(`Practitioner?name=${encodeURIComponent('李')}&_contained=true`))).toEqual([]);
    expect(keys(await get(`Practitioner?name=${encodeURIComponent('李')}&_contained=both`))).toEqual(['Practitioner/ct-prac-top']);
    const byId = await get('Medication?_id=m1&_contained=true&_containedType=contained');
    expect(matches(byId).map((e) => e.fullUrl)).toEqual([`${server.base}/MedicationRequest/ct-rx3#m1`]);
  });

  it('a reference parameter, and every condition holding on the same contained resource', async () => {
    const r = await get('Medication?manufacturer=Organization/ct-org2&_contained=true&_containedType=contained');
    expect(matches(r).map((e) => e.fullUrl)).toEqual([`${server.base}/MedicationRequest/ct-rx2#med`, `${server.base}/MedicationRequest/ct-rx3#m1`]);
    // rx3 holds aspirin (org1) and paracetamol (org2): no one Medication in it is aspirin from org2.
    const crossed = await get(`Medication?code=${aspirin}&manufacturer=ct-org2&_contained=true`);
    expect(keys(crossed)).toEqual([]);
    // A chain from a contained resource to a top-level one.
    const chained = await get(`Medication?manufacturer.name=${encodeURIComponent('乙药厂')}&_contained=true`);
    expect(keys(chained)).toEqual(['MedicationRequest/ct-rx2', 'MedicationRequest/ct-rx3']);
  });

  it('pages through contained matches with the next link, each once', async () => {
    const seen: string[] = [];
    let r = await get('Medication?_contained=both&_containedType=contained&_count=2');
    expect(r.body.total).toBe(5);
    for (let pages = 0; pages < 5; pages++) {
      seen.push(...matches(r).map((e) => e.fullUrl.slice(server.base.length + 1)));
      const next = (r.body.link as { relation: string; url: string }[]).find((l) => l.relation === 'next');
      if (!next) break;
      r = await get(next.url.slice(server.base.length + 1));
      expect(r.status).toBe(200);
    }
    expect(seen).toEqual(['Medication/ct-med-top', 'MedicationRequest/ct-rx1#med', 'MedicationRequest/ct-rx2#med', 'MedicationRequest/ct-rx3#m1', 'MedicationRequest/ct-rx3#m2']);
    const counted = await get('Medication?_contained=true&_summary=count');
    expect(counted.body.total).toBe(3);
  });

  it('an update replaces the contained rows, a delete removes them, $reindex keeps them once', async () => {
    const before = await get(`Practitioner?name=${encodeURIComponent('张')}&_contained=true`);
    expect(keys(before)).toEqual(['MedicationRequest/ct-rx1']);
    // The practitioner is dropped and the medication changed.
    const updated = await call(server.base, 'PUT', 'MedicationRequest/ct-rx1', request('ct-rx1', [medication('med', 'ibuprofen', 'ct-org2')]));
    expect(updated.status).toBe(200);
    expect(keys(await get(`Practitioner?name=${encodeURIComponent('张')}&_contained=true`))).toEqual([]);
    expect(keys(await get(`Medication?code=${aspirin}&_contained=true`))).toEqual(['MedicationRequest/ct-rx3']);
    expect(keys(await get(`Medication?code=${DRUG}|ibuprofen&_contained=true`))).toEqual(['MedicationRequest/ct-rx1', 'MedicationRequest/ct-rx2']);

    expect((await call(server.base, 'DELETE', 'MedicationRequest/ct-rx2')).status).toBeLessThan(300);
    expect(keys(await get(`Medication?code=${DRUG}|ibuprofen&_contained=true`))).toEqual(['MedicationRequest/ct-rx1']);

    const reindexed = await call(server.base, 'POST', 'MedicationRequest/$reindex');
    expect(reindexed.status).toBe(200);
    const after = await get('Medication?_contained=true&_containedType=contained');
    expect(matches(after).map((e) => e.fullUrl.slice(server.base.length + 1))).toEqual(['MedicationRequest/ct-rx1#med', 'MedicationRequest/ct-rx3#m1', 'MedicationRequest/ct-rx3#m2']);
    expect(after.body.total).toBe(3);

    // Recreated after the delete with other content under the same local id: what it holds now is found, not what it held.
    const recreated = await call(server.base, 'PUT', 'MedicationRequest/ct-rx2', request('ct-rx2', [medication('med', 'paracetamol', 'ct-org1')]));
    expect(recreated.status).toBe(201);
    expect(keys(await get(`Medication?code=${DRUG}|ibuprofen&_contained=true`))).toEqual(['MedicationRequest/ct-rx1']);
    expect(keys(await get(`Medication?code=${DRUG}|paracetamol&_contained=true`))).toEqual(['MedicationRequest/ct-rx2', 'MedicationRequest/ct-rx3']);
    expect(keys(await get('Medication?manufacturer=ct-org2&_contained=true'))).toEqual(['MedicationRequest/ct-rx1', 'MedicationRequest/ct-rx3']);
    // A contained resource dropped by an update is not found by a filter that reads the index directly nor by one that does not.
    const dropped = await call(server.base, 'PUT', 'MedicationRequest/ct-rx2', request('ct-rx2', [practitioner('doc2', '赵', '六')], {
        medicationReference: undefined,
        medicationCodeableConcept: { text: '对乙酰氨基酚' },
        requester: { reference: '#doc2' },
      }));
    expect(dropped.status).toBe(200);
    expect(keys(await get(`Medication?code=${DRUG}|paracetamol&_contained=true`))).toEqual(['MedicationRequest/ct-rx3']);
    expect(keys(await get(`Medication?code:not=${DRUG}|aspirin&_contained=true`))).toEqual(['MedicationRequest/ct-rx1', 'MedicationRequest/ct-rx3']);
    expect(keys(await get(`Practitioner?name=${encodeURIComponent('赵')}&_contained=true`))).toEqual(['MedicationRequest/ct-rx2']);
  });

  it('an invalid value is a 400 naming the parameter, in Chinese and English', async () => {
    for (const [query, param] of [
      ['Medication?_contained=bogus', '_contained'],
      ['Medication?_contained=true&_containedType=inside', '_containedType'],
      ['Medication?_contained=true&_sort=code', '_sort'],
      ['?_contained=true', '_contained'],
    ] as const) {
      const r = await get(query);
      expect(r.status).toBe(400);
      const issue = firstIssue(r);
      expect(issue.severity).toBe('error');
      expect(issue.code).toBe('value');
      expect(issue.expression).toEqual([param]);
      expect(issue.details.text).toMatch(/搜索参数.*\|.*search parameter/);
      expect(issue.details.text).toContain(param);
    }
  });

  it('conditional writes refuse _contained: a contained resource is not written by itself', async () => {
    const r = await call(server.base, 'POST', 'Medication', medication('ignored', 'aspirin'), { 'if-none-exist': `code=${aspirin}&_contained=true` });
    expect(r.status).toBe(400);
    expect(firstIssue(r).expression).toEqual(['_contained']);
    expect(keys(await get(`Medication?code=${aspirin}`))).toEqual(['Medication/ct-med-top']);
  });

  it('under Prefer: handling=lenient an invalid value is ignored and reported', async () => {
    const r = await get(`Medication?code=${aspirin}&_contained=bogus`, { prefer: 'handling=lenient' });
    expect(r.status).toBe(200);
    expect(keys(r)).toEqual(['Medication/ct-med-top']);
    const outcome = (r.body.entry as Entry[]).filter((e) => e.search?.mode === 'outcome');
    expect(outcome).toHaveLength(1);
    expect(JSON.stringify(outcome[0]?.resource)).toContain('_contained=bogus');
    const self = r.body.link.find((l: { relation: string }) => l.relation === 'self').url as string;
    expect(self).not.toContain('_contained');
  });
});

describe.each(BACKENDS)('_contained under access control on %s', (backend) => {
  const server = useAuthServer(backend);

  it('a contained resource is found only through a container the token may read', async () => {
    const admin = bearer((await backendToken(server, { scopes: 'system/*.cruds' })).accessToken);
    const seed = [
      { resourceType: 'Patient', id: 'ac-pa', name: [{ family: '张', given: ['甲'] }] },
      { resourceType: 'Patient', id: 'ac-pb', name: [{ family: '李', given: ['乙'] }] },
      medication('ac-med', 'aspirin'),
      { ...request('ac-rx-a', [medication('med', 'aspirin')]), subject: { reference: 'Patient/ac-pa' } },
      { ...request('ac-rx-b', [medication('med', 'aspirin')]), subject: { reference: 'Patient/ac-pb' } },
    ];
    for (const resource of seed) {
      const r = await call(server.base, 'PUT', `${resource.resourceType}/${resource.id}`, resource, admin);
      expect([200, 201]).toContain(r.status);
    }
    const everything = await call(server.base, 'GET', `Medication?code=${aspirin}&_contained=true`, undefined, admin);
    expect(keys(everything)).toEqual(['MedicationRequest/ac-rx-a', 'MedicationRequest/ac-rx-b']);

    const reply = await userToken(server, { username: 'clinician', scopes: 'launch/patient patient/*.rs', patient: 'ac-pa' });
    const patientA = bearer(reply.body.access_token as string);
    const containers = await call(server.base, 'GET', `Medication?code=${aspirin}&_contained=true`, undefined, patientA);
    expect(containers.status).toBe(200);
    expect(keys(containers)).toEqual(['MedicationRequest/ac-rx-a']);
    expect(containers.body.total).toBe(1);
    const itself = await call(server.base, 'GET', `Medication?code=${aspirin}&_contained=both&_containedType=contained`, undefined, patientA);
    expect(matches(itself).map((e) => e.fullUrl)).toEqual([`${server.base}/Medication/ac-med`, `${server.base}/MedicationRequest/ac-rx-a#med`]);
  });
});
