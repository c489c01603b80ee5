import type { Task } from '@medplum/fhirtypes';
import { REGISTRY_TAG_SYSTEM, EXT } from '../../src/registries/cancer/model.js';
import { REVIEW_STATE_SYSTEM, TASK_CODE_SYSTEM } from '../../src/registries/cancer/tasks.js';
import { backendToken, bearer, useAuthServer, userToken, TEST_PASSWORD } from '../support/auth.js';
import { call, type Reply } from '../support/http.js';
import { cancerCase, daysAgo, hospital, patient, TEST_ICDO3, type CaseSpec } from './synthetic.js';

const SCOPES = 'openid fhirUser user/*.cruds';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ruleIds = (reply: Reply): string[] => (reply.body?.issue ?? []).map((i: any) => i.details?.coding?.[0]?.code);
const ext = (resource: { extension?: { url: string }[] }, url: string) => resource.extension?.find((e) => e.url === url) as Record<string, unknown> | undefined;

describe('cancer registry workflow: review, duplicates, death linkage, cards, KPIs (auth on, real tokens)', () => {
  const server = useAuthServer('postgres', {
    users: [
      { username: 'doctor-a', name: '医院A医生', password: TEST_PASSWORD, roles: ['clinician'], organisation: 'Organization/hosp-a' },
      { username: 'doctor-b', name: '医院B医生', password: TEST_PASSWORD, roles: ['clinician'], organisation: 'Organization/hosp-b' },
      { username: 'county-cdc', name: '区县疾控审核员', password: TEST_PASSWORD, roles: ['clinician'], organisation: 'Organization/county-cdc' },
    ],
  });
  let setup: Record<string, string>;
  const tokens: Record<string, Record<string, string>> = {};
  const as = (who: string) => tokens[who] as Record<string, string>;
  const people: Record<string, string> = {};

  async function submit(who: string, spec: CaseSpec, headers: Record<string, string> = {}): Promise<Reply> {
    return call(server.base, 'POST', 'Condition', cancerCase(spec), { ...as(who), prefer: 'return=OperationOutcome', ...headers });
  }

  async function reviewTaskOf(condition: string): Promise<Task> {
    const found = await call(server.base, 'GET', `Task?focus=${condition}&code=${TASK_CODE_SYSTEM}|registry-review`, undefined, setup);
    expect(found.body.entry).toHaveLength(1);
    return found.body.entry[0].resource as Task;
  }

  async function moveTo(who: string, task: Task, state: string, reason?: string): Promise<Reply> {
    const next: Task = { ...task, businessStatus: { coding: [{ system: REVIEW_STATE_SYSTEM, code: state }] }, ...(reason ? { statusReason: { text: reason } } : {}) };
    return call(server.base, 'PUT', `Task/${task.id}`, next, as(who));
  }

  beforeAll(async () => {
    setup = bearer((await backendToken(server, { scopes: 'system/*.cruds' })).accessToken);
    for (const [id, n] of [['hosp-a', 1], ['hosp-b', 2], ['county-cdc', 3]] as const) {
      expect((await call(server.base, 'PUT', `Organization/${id}`, { ...hospital(n), id }, setup)).status).toBe(201);
    }
    expect((await call(server.base, 'POST', 'CodeSystem', TEST_ICDO3, setup)).status).toBe(201);
    for (const [key, n, gender, birth] of [['wang', 11, 'male', '1955-02-03'], ['li', 12, 'female', '1968-09-10'], ['zhao', 13, 'male', '1949-12-01']] as const) {
      const reply = await call(server.base, 'POST', 'Patient', { ...patient(n, gender, birth), managingOrganization: { reference: 'Organization/hosp-a' } }, setup);
      people[key] = `Patient/${reply.body.id as string}`;
    }
    // The MPI's see-also link: the same person registered again at hospital B.
    const again = await call(server.base, 'POST', 'Patient', { ...patient(14, 'male', '1955-02-03'), link: [{ other: { reference: people.wang }, type: 'seealso' }] }, setup);
    people.wangAtB = `Patient/${again.body.id as string}`;
    for (const who of ['doctor-a', 'doctor-b', 'county-cdc', 'registry-analyst']) {
      const reply = await userToken(server, { username: who, scopes: SCOPES });
      expect(reply.status).toBe(200);
      tokens[who] = bearer(reply.body.access_token as string);
    }
  });

  const base = (patientRef: string, d = 40): CaseSpec => ({ patient: patientRef, icd10: 'C18.700', topography: 'C18.7', morphology: '8140/3', basis: '7', diagnosed: daysAgo(d), recorded: daysAgo(1) });

  it('a submitted case takes the reporting institution from the token and starts its review and follow-up Tasks', async () => {
    const reply = await submit('doctor-a', base(people.wang as string));
    expect(reply.status).toBe(201);
    const condition = reply.headers.get('location')?.match(/Condition\/[^/]+/)?.[0] as string;
    const stored = (await call(server.base, 'GET', condition, undefined, setup)).body;
    expect(ext(stored, EXT.reporter)?.valueReference).toEqual({ reference: 'Organization/hosp-a' });
    expect(ext(stored, EXT.sequence)?.valueInteger).toBe(1);
    const review = await reviewTaskOf(condition);
    expect(review.status).toBe('requested');
    expect(review.businessStatus?.coding?.[0]?.code).toBe('pending-hospital');
    const followUp = await call(server.base, 'GET', `Task?focus=${condition}&code=${TASK_CODE_SYSTEM}|registry-follow-up`, undefined, setup);
    expect(followUp.body.entry[0].resource.status).toBe('requested');
    people.wangCase = condition;
  });

  it('review: confirm / return (reason required) / resubmit / confirm to the city level, each step versioned and traced by a Provenance', async () => {
    let task = await reviewTaskOf(people.wangCase as string);
    let reply = await moveTo('doctor-a', task, 'pending-county');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('in-progress');
    task = reply.body;
    const noReason = await moveTo('county-cdc', task, 'returned');
    expect(noReason.status).toBe(422);
    expect(noReason.body.issue[0].expression).toEqual(['Task.statusReason']);
    reply = await moveTo('county-cdc', task, 'returned', '形态学编码需核实 | Check the morphology code');
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('on-hold');
    task = reply.body;
    const illegal = await moveTo('county-cdc', task, 'confirmed');
    expect(illegal.status).toBe(409);
    expect(illegal.body.issue[0].diagnostics).toMatch(/from "returned" to "confirmed" \(allowed: pending-hospital\)/);
    // The hospital corrects the case: a new version, traced by a Provenance, the rules run again.
    const current = (await call(server.base, 'GET', people.wangCase as string, undefined, setup)).body;
    const corrected = await call(server.base, 'PUT', people.wangCase as string, { ...current, recordedDate: daysAgo(0) }, as('doctor-a'));
    expect(corrected.status).toBe(200);
    expect(corrected.body.meta.versionId).toBe('2');
    const traces = await call(server.base, 'GET', `Provenance?target=${people.wangCase}&_count=50`, undefined, setup);
    const edit = traces.body.entry.map((e: { resource: { activity: { coding: { code: string }[] }; target: { reference: string }[] } }) => e.resource).find((p: { activity: { coding: { code: string }[] } }) => p.activity.coding[0]?.code === 'UPDATE');
    expect(edit.target[0].reference).toBe(`${people.wangCase}/_history/2`);
    const refusedFix = await call(server.base, 'PUT', people.wangCase as string, { ...current, onsetDateTime: '2999-01-01' }, as('doctor-a'));
    expect(refusedFix.status).toBe(422);
    for (const [who, state] of [['doctor-a', 'pending-hospital'], ['doctor-a', 'pending-county'], ['county-cdc', 'pending-city'], ['county-cdc', 'confirmed']] as const) {
      reply = await moveTo(who, task, state);
      expect(reply.status).toBe(200);
      task = reply.body;
    }
    expect(task.status).toBe('completed');
    const history = await call(server.base, 'GET', `Task/${task.id}/_history`, undefined, setup);
    expect(history.body.total ?? history.body.entry.length).toBe(7);
    const provenance = await call(server.base, 'GET', `Provenance?target=Task/${task.id}&_count=50`, undefined, setup);
    const steps = provenance.body.entry.map((e: { resource: { activity: { coding: { code: string }[] }; reason?: { text: string }[]; agent: { who: { reference?: string } }[]; target: { reference: string }[] } }) => e.resource);
    expect(steps.map((p: { activity: { coding: { code: string }[] } }) => p.activity.coding[0]?.code).sort()).toEqual(['confirm', 'confirm', 'confirm', 'confirm', 'resubmit', 'return']);
    const returned = steps.find((p: { activity: { coding: { code: string }[] } }) => p.activity.coding[0]?.code === 'return');
    expect(returned.reason[0].text).toMatch(/形态学编码需核实/);
    expect(returned.agent[0].who.reference).toMatch(/^Practitioner\//);
    expect(returned.agent[0].onBehalfOf).toEqual({ reference: 'Organization/county-cdc' });
    expect(returned.target[0].reference).toBe(`Task/${task.id}/_history/3`);
  });

  it('reject ends the review; nothing leaves a final state', async () => {
    const reply = await submit('doctor-a', { ...base(people.li as string), icd10: 'C50.900', topography: 'C50.9', morphology: '8500/3' });
    const condition = reply.headers.get('location')?.match(/Condition\/[^/]+/)?.[0] as string;
    const task = await reviewTaskOf(condition);
    const rejected = await moveTo('doctor-a', task, 'rejected', '非本辖区病例 | Not a resident of the area');
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect((await moveTo('doctor-a', rejected.body, 'pending-county')).status).toBe(409);
  });

  it('duplicates and multiple primaries by the IARC rules, across MPI-linked records', async () => {
    // Same organ (colon), same histological group (814x), at another hospital under the linked record: a duplicate.
    const dup = await submit('doctor-b', { ...base(people.wangAtB as string), topography: 'C18.9', icd10: 'C18.900', diagnosed: daysAgo(35) });
    expect(dup.status).toBe(201);
    expect(ruleIds(dup)).toContain('CR-D01');
    const dupCase = (await call(server.base, 'GET', dup.headers.get('location')?.match(/Condition\/[^/]+/)?.[0] as string, undefined, setup)).body;
    expect(ext(dupCase, EXT.duplicateOf)?.valueReference).toEqual({ reference: people.wangCase });
    // Rectum is another organ than colon: a second primary.
    const rectum = await submit('doctor-a', { ...base(people.wang as string), icd10: 'C20.x00', topography: 'C20.9' });
    expect(rectum.status).toBe(201);
    expect(ruleIds(rectum)).toContain('CR-D02');
    // Colon again but squamous (807x): a different histological group is a further primary.
    const squamous = await submit('doctor-a', { ...base(people.wang as string), morphology: '8070/3' });
    const sq = (await call(server.base, 'GET', squamous.headers.get('location')?.match(/Condition\/[^/]+/)?.[0] as string, undefined, setup)).body;
    expect(ext(sq, EXT.sequence)?.valueInteger).toBe(3);
    // Systemic tumours count once whatever the site: lymphoma then leukaemia is a duplicate.
    const lymphoma = await submit('doctor-a', { ...base(people.zhao as string), icd10: 'C83.300', topography: 'C34.1', morphology: '9680/3' });
    expect(ruleIds(lymphoma)).not.toContain('CR-D01');
    const leukaemia = await submit('doctor-a', { ...base(people.zhao as string), icd10: 'C92.000', topography: 'C22.0', morphology: '9861/3' });
    expect(ruleIds(leukaemia)).toContain('CR-D01');
  });

  it('death linkage: recording the death closes the open follow-up Tasks of the person\'s cases', async () => {
    const before = await call(server.base, 'GET', `Task?patient=${people.zhao}&code=${TASK_CODE_SYSTEM}|registry-follow-up`, undefined, setup);
    expect(before.body.entry.length).toBe(2);
    expect(before.body.entry.every((e: { resource: Task }) => e.resource.status === 'requested')).toBe(true);
    const zhao = (await call(server.base, 'GET', people.zhao as string, undefined, setup)).body;
    expect((await call(server.base, 'PUT', people.zhao as string, { ...zhao, deceasedDateTime: daysAgo(2) }, setup)).status).toBe(200);
    const after = await call(server.base, 'GET', `Task?patient=${people.zhao}&code=${TASK_CODE_SYSTEM}|registry-follow-up`, undefined, setup);
    for (const e of after.body.entry as { resource: Task }[]) {
      expect(e.resource.status).toBe('completed');
      expect(e.resource.businessStatus?.coding?.[0]?.code).toBe('closed-death');
      expect(e.resource.output?.[0]?.valueDateTime).toBe(daysAgo(2));
    }
    const others = await call(server.base, 'GET', `Task?patient=${people.wang}&code=${TASK_CODE_SYSTEM}|registry-follow-up&status=requested`, undefined, setup);
    expect(others.body.entry.length).toBeGreaterThan(0);
  });

  it('registration cards: CSV with bilingual headers and JSON, pseudonymised for the registry analyst', async () => {
    const csv = await fetch(`${server.base}/Condition/$registry-card?format=csv&from=${daysAgo(60)}&to=${daysAgo(0)}`, { headers: as('registry-analyst') });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^报告卡编号 Case id,报告单位 Reporting institution,患者编号 Patient id,姓名 Name,身份证号 Resident ID/);
    expect(lines.length - 1).toBe(7);
    expect(lines.join('\n')).not.toMatch(/测试患者/);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json: any = await (await fetch(`${server.base}/Condition/$registry-card?organization=Organization/hosp-b`, { headers: as('registry-analyst') })).json();
    expect(json.cards).toHaveLength(1);
    expect(json.cards[0].duplicateOf).toBe(people.wangCase);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const own: any = await (await fetch(`${server.base}/${people.wangCase}/$registry-card`, { headers: as('doctor-a') })).json();
    expect(own.cards[0]).toMatchObject({ name: '测试患者11', topography: 'C18.7', morphology: '8140/3', basis: '7 原发灶病理', review: 'confirmed', sequence: '1', institution: 'Organization/hosp-a' });
  });

  it('KPIs per institution match what was submitted, refused submissions included', async () => {
    const refusedA = await submit('doctor-a', { ...base(people.li as string), icd10: 'C61.x00', topography: 'C61.9' });
    expect(refusedA.status).toBe(422);
    const refusedB = await submit('doctor-b', { ...base(people.li as string, 10), basis: undefined, identifier: 'B-1' });
    expect(refusedB.status).toBe(422);
    const fixedB = await submit('doctor-b', { ...base(people.li as string, 10), icd10: 'C16.900', topography: 'C16.9', identifier: 'B-1' });
    expect(fixedB.status).toBe(201);
    const reply = await call(server.base, 'GET', 'Condition/$registry-kpi', undefined, as('registry-analyst'));
    expect(reply.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const of = (org: string) => Object.fromEntries(reply.body.parameter.find((p: any) => p.part?.[0]?.valueReference?.reference === org).part.map((p: any) => [p.name, p.valueInteger ?? p.valueDecimal]));
    // Hospital A: 6 accepted cases (wang ×3, li, zhao ×2), one accepted and one refused correction of the first, and 1 refused case; all 40 days after diagnosis.
    const a = of('Organization/hosp-a');
    expect(a).toMatchObject({ submissions: 9, refused: 2, errorRate: 0.2222, cases: 7, firstSubmitErrorRate: 0.1429, timelinessMedianDays: 40, timelyRate: 0 });
    // Hospital B: the duplicate (35 days), then case B-1 refused once and accepted (10 days).
    const b = of('Organization/hosp-b');
    expect(b).toMatchObject({ submissions: 3, refused: 1, errorRate: 0.3333, cases: 2, firstSubmitErrorRate: 0.5, timelinessMedianDays: 22.5, timelyRate: 0.5 });
    expect(b.completeness).toBeCloseTo(a.completeness, 1);
  });
});

describe('research export of registry cases by a registry analyst (auth on)', () => {
  const server = useAuthServer('postgres');

  it('$export gives the analyst pseudonymised patients: no names, resident IDs or phones, dates kept', async () => {
    const setup = bearer((await backendToken(server, { scopes: 'system/*.cruds' })).accessToken);
    await call(server.base, 'PUT', 'Organization/hosp-a', { ...hospital(1), id: 'hosp-a' }, setup);
    const person = patient(41, 'female', '1966-05-06');
    const p = await call(server.base, 'POST', 'Patient', person, setup);
    const c = await call(server.base, 'POST', 'Condition', cancerCase({ patient: `Patient/${p.body.id as string}`, reporter: 'Organization/hosp-a', icd10: 'C16.900', topography: 'C16.9', morphology: '8140/3', basis: '7', diagnosed: '2026-10-01' }), setup);
    expect(c.status).toBe(201);
    const analyst = bearer((await userToken(server, { username: 'registry-analyst', scopes: SCOPES })).body.access_token as string);
    const kick = await call(server.base, 'GET', '$export?_type=Patient,Condition', undefined, { ...analyst, prefer: 'respond-async' });
    expect(kick.status).toBe(202);
    const statusUrl = kick.headers.get('content-location') as string;
    let manifest: { output: { type: string; url: string }[] } | undefined;
    for (let i = 0; i < 600 && !manifest; i++) {
      const res = await fetch(statusUrl, { headers: analyst });
      if (res.status === 200) manifest = (await res.json()) as typeof manifest;
      else await new Promise((r) => setTimeout(r, 100));
    }
    const lines: Record<string, Record<string, unknown>[]> = {};
    for (const o of manifest?.output ?? []) {
      const text = await (await fetch(o.url, { headers: analyst })).text();
      lines[o.type] = [...(lines[o.type] ?? []), ...text.split('\n').filter(Boolean).map((l) => JSON.parse(l))];
    }
    const exported = lines.Patient?.find((x) => x.id === p.body.id) as Record<string, unknown>;
    const text = JSON.stringify(lines.Patient);
    expect(text).not.toContain(person.identifier?.[0]?.value as string);
    expect(text).not.toContain('测试患者41');
    expect(text).not.toContain(person.telecom?.[0]?.value as string);
    expect(exported.name).toBeUndefined();
    expect(exported.telecom).toBeUndefined();
    expect((exported.identifier as { system: string }[]).map((i) => i.system)).toEqual(['https://qiao.health/fhir/sid/pseudonym']);
    expect(exported.birthDate).toBe('1966-05-06');
    const exportedCase = lines.Condition?.find((x) => x.id === c.body.id) as Record<string, unknown>;
    expect(exportedCase.onsetDateTime).toBe('2026-10-01');
  });
});
