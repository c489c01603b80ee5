import { CANCER_RULES } from '../../src/registries/cancer/rules.js';
import { call, type Reply } from '../support/http.js';
import { startTestServer, useTestServer, type TestServer } from '../support/test-server.js';
import { cancerCase, created, daysAgo, hospital, pathologyReport, patient, TEST_ICDO3, tnm, type CaseSpec } from './synthetic.js';

const OUTCOME = { prefer: 'return=OperationOutcome' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ruleIds = (reply: Reply): string[] => (reply.body?.issue ?? []).map((i: any) => i.details?.coding?.[0]?.code);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const issueOf = (reply: Reply, id: string): any => reply.body.issue.find((i: any) => i.details?.coding?.[0]?.code === id);

describe('cancer registry: quality rules on submit', () => {
  const server = useTestServer('postgres');
  let org = '';
  let man = '';
  let woman = '';
  let dead = '';
  let full: CaseSpec;

  beforeAll(async () => {
    expect((await call(server.base, 'POST', 'CodeSystem', TEST_ICDO3)).status).toBe(201);
    org = await created(server.base, hospital(1));
    man = await created(server.base, patient(1, 'male', '1960-03-04'));
    woman = await created(server.base, patient(2, 'female', '1972-07-08'));
    dead = await created(server.base, patient(3, 'male', '1950-01-01', { deceasedDateTime: '2024-05-01' }));
    const stage = await created(server.base, tnm(woman, '21908-9', 'IIA'));
    const report = await created(server.base, pathologyReport(woman, org, daysAgo(21), [stage]));
    full = { patient: woman, reporter: org, icd10: 'C50.900', topography: 'C50.9', morphology: '8500/3', basis: '7', diagnosed: daysAgo(20), recorded: daysAgo(2), stage: [stage], evidence: [report] };
  });

  it('a complete case is stored (201) with no blocking issue; optional fields missing come back as warnings', async () => {
    const clean = await call(server.base, 'POST', 'Condition', cancerCase(full), OUTCOME);
    expect(clean.status).toBe(201);
    expect(ruleIds(clean)).toEqual([]);
    const id = clean.headers.get('location')?.match(/Condition\/([^/]+)/)?.[1] as string;
    const card = await call(server.base, 'GET', `Condition/${id}/$registry-card`);
    expect(JSON.parse(card.text).cards[0]).toMatchObject({ stage: '临床分期 IIA', basis: '7 原发灶病理', sex: 'female', sequence: '1', review: 'pending-hospital', followUp: 'scheduled' });

    const sparse = await call(server.base, 'POST', 'Condition', cancerCase({ ...full, patient: man, icd10: 'C34.900', topography: 'C34.1', morphology: '8070/3', stage: undefined, evidence: undefined, recorded: undefined }), OUTCOME);
    expect(sparse.status).toBe(201);
    expect(ruleIds(sparse)).toEqual(expect.arrayContaining(['CR-O01', 'CR-O02', 'CR-O03', 'CR-W03']));
    const stage = issueOf(sparse, 'CR-O01');
    expect(stage.severity).toBe('warning');
    expect(stage.expression).toEqual(['Condition.stage']);
    expect(stage.details.text).toMatch(/缺少 TNM 分期 \| The TNM stage is missing/);
  });

  const blocking: [string, () => CaseSpec][] = [
    ['CR-E01', () => ({ ...full, icd10: undefined })],
    ['CR-E02', () => ({ ...full, topography: undefined })],
    ['CR-E03', () => ({ ...full, morphology: undefined })],
    ['CR-E04', () => ({ ...full, basis: undefined })],
    ['CR-E05', () => ({ ...full, diagnosed: undefined, recorded: undefined })],
    ['CR-E06', () => ({ ...full, patient: 'Patient/no-such-patient' })],
    ['CR-E07', () => ({ ...full, topography: 'C99.9' })],
    ['CR-E08', () => ({ ...full, morphology: '8500-3' })],
    ['CR-E09', () => ({ ...full, topography: 'C17.9', icd10: 'C17.900' })],
    ['CR-E10', () => ({ ...full, morphology: '8501/3' })],
    ['CR-E11', () => ({ ...full, patient: man, icd10: 'C53.900', topography: 'C53.9', morphology: '8070/3' })],
    ['CR-E12', () => ({ ...full, diagnosed: '1970-01-01' })],
    ['CR-E13', () => ({ ...full, patient: dead, icd10: 'C16.900', topography: 'C16.9', morphology: '8140/3', diagnosed: '2024-06-01' })],
    ['CR-E14', () => ({ ...full, diagnosed: '2999-01-01' })],
    ['CR-E15', () => ({ ...full, icd10: 'C16.900', topography: 'C18.9', morphology: '8140/3' })],
    ['CR-E16', () => ({ ...full, icd10: 'C16.900', topography: 'C16.9', morphology: '8140/6' })],
    ['CR-E17', () => ({ ...full, reporter: undefined })],
  ];

  it('every blocking rule of the table has a case here', () => {
    expect(blocking.map(([id]) => id).sort()).toEqual(CANCER_RULES.filter((r) => r.severity === 'error').map((r) => r.id).sort());
  });

  it.each(blocking)('%s refuses the submission with 422, its bilingual message and its expression', async (id, spec) => {
    const reply = await call(server.base, 'POST', 'Condition', cancerCase(spec()));
    expect(reply.status).toBe(422);
    const issue = issueOf(reply, id);
    expect(issue).toBeDefined();
    expect(issue.severity).toBe('error');
    const rule = CANCER_RULES.find((r) => r.id === id);
    expect(issue.expression).toEqual([rule?.expression]);
    expect(issue.details.text).toMatch(/[\u4e00-\u9fff].* \| [A-Z]/);
    // Nothing was stored: the refused case is not searchable.
    expect(reply.body.issue.filter((i: { severity: string }) => i.severity === 'error').length).toBeGreaterThanOrEqual(1);
  });

  it('a sex–site conflict names the site and the gender, both ways', async () => {
    const prostate = await call(server.base, 'POST', 'Condition', cancerCase({ ...full, icd10: 'C61.x00', topography: 'C61.9', morphology: '8140/3' }));
    expect(prostate.status).toBe(422);
    expect(issueOf(prostate, 'CR-E11').diagnostics).toMatch(/C61.9 \(male genital organs\) is impossible in a patient of gender female/);
  });

  it('several problems come back together, each with its own expression', async () => {
    const reply = await call(server.base, 'POST', 'Condition', cancerCase({ ...full, basis: undefined, topography: 'C17.9', diagnosed: '2999-01-01' }));
    expect(reply.status).toBe(422);
    expect(ruleIds(reply)).toEqual(expect.arrayContaining(['CR-E04', 'CR-E09', 'CR-E14']));
  });

  it('a transaction with a refused case rolls back whole, and says which entry', async () => {
    const before = await call(server.base, 'GET', 'Condition?_summary=count');
    const reply = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: cancerCase({ ...full, patient: man, icd10: 'C16.900', topography: 'C16.9', morphology: '8140/3' }), request: { method: 'POST', url: 'Condition' } },
        { resource: cancerCase({ ...full, basis: undefined }), request: { method: 'POST', url: 'Condition' } },
      ],
    });
    expect(reply.status).toBe(422);
    expect(ruleIds(reply)).toContain('CR-E04');
    expect((await call(server.base, 'GET', 'Condition?_summary=count')).body.total).toBe(before.body.total);
  });

  it('warnings come back in a transaction response (entry.response.outcome)', async () => {
    const reply = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: cancerCase({ ...full, patient: man, icd10: 'C73.x00', topography: 'C73.9', morphology: '8000/1', stage: undefined }), request: { method: 'POST', url: 'Condition' } }],
    });
    expect(reply.status).toBe(200);
    const codes = reply.body.entry[0].response.outcome.issue.map((i: { details: { coding: { code: string }[] } }) => i.details.coding[0]?.code);
    expect(codes).toEqual(expect.arrayContaining(['CR-W02', 'CR-O01']));
  });

  it('$registry-check runs the rules without storing anything', async () => {
    const before = await call(server.base, 'GET', 'Condition?_summary=count');
    const bad = await call(server.base, 'POST', 'Condition/$registry-check', cancerCase({ ...full, patient: man, icd10: 'C53.900', topography: 'C53.9' }));
    expect(bad.status).toBe(200);
    expect(ruleIds(bad)).toContain('CR-E11');
    const good = await call(server.base, 'POST', 'Condition/$registry-check', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: cancerCase(full) }] });
    expect(good.status).toBe(200);
    expect(good.body.issue[0].severity).toBe('information');
    expect((await call(server.base, 'GET', 'Condition?_summary=count')).body.total).toBe(before.body.total);
    const wrong = await call(server.base, 'POST', 'Condition/$registry-check', { resourceType: 'Patient' });
    expect(wrong.status).toBe(400);
  });
});

describe('cancer registry operations: bad parameters', () => {
  const server = useTestServer('postgres');

  it('are 4xx with the parameter as expression', async () => {
    const kpi = await call(server.base, 'GET', "Condition/$registry-kpi?from=2026-13-01'--");
    expect(kpi.status).toBe(400);
    expect(kpi.body.issue[0].expression).toEqual(['from']);
    const format = await call(server.base, 'GET', 'Condition/$registry-card?format=xml');
    expect(format.status).toBe(400);
    expect(format.body.issue[0].expression).toEqual(['format']);
    const plain = await created(server.base, { resourceType: 'Condition', code: { text: '高血压' }, subject: { reference: await created(server.base, patient(8, 'male', '1970-01-01')) } } as never);
    const notCase = await call(server.base, 'GET', `${plain}/$registry-card`);
    expect(notCase.status).toBe(422);
    expect(notCase.body.issue[0].expression).toEqual(['Condition.meta.tag']);
    const empty = await call(server.base, 'GET', 'Condition/$registry-card?format=csv&from=2020-01-01&to=2020-12-31');
    expect(empty.status).toBe(200);
    expect(empty.text.replace(/^\uFEFF/, '').trim().split('\r\n')).toHaveLength(1);
  });
});

describe('cancer registry: a partly loaded ICD-O-3 cannot refute a code', () => {
  // The embedded database takes long to start on a loaded machine: its own, longer, hook timeout.
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(server, await startTestServer('pglite'));
  }, 180_000);
  afterAll(() => server.close());

  it('an unlisted code is a warning (CR-W01) with only the shipped subset, not a refusal', async () => {
    const org = await created(server.base, hospital(9));
    const man = await created(server.base, patient(9, 'male', '1960-03-04'));
    const reply = await call(server.base, 'POST', 'Condition', cancerCase({ patient: man, reporter: org, icd10: 'C16.900', topography: 'C16.1', morphology: '8140/3', basis: '7', diagnosed: daysAgo(3) }), OUTCOME);
    expect(reply.status).toBe(201);
    expect(ruleIds(reply)).toContain('CR-W01');
    // A refusal on the embedded database is counted after its rollback (queued behind it on the one connection).
    const refused = await call(server.base, 'POST', 'Condition', cancerCase({ patient: man, reporter: org, icd10: 'C53.900', topography: 'C53.9', morphology: '8070/3', basis: '7', diagnosed: daysAgo(3) }));
    expect(refused.status).toBe(422);
    const kpi = await call(server.base, 'GET', 'Condition/$registry-kpi');
    const parts = Object.fromEntries(kpi.body.parameter[1].part.map((p: { name: string; valueInteger?: number; valueDecimal?: number }) => [p.name, p.valueInteger ?? p.valueDecimal]));
    expect(parts).toMatchObject({ submissions: 2, refused: 1, errorRate: 0.5, cases: 2, timelinessMedianDays: 3 });
  });
});
