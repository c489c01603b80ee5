import { syntheticAecg } from '../../src/ecg/synthetic.js';
import { adminToken, bearer, userToken, useAuthServer } from '../support/auth.js';
import { call, firstIssue, type Reply } from '../support/http.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const CLINIC = 'Organization/ecg-clinic';
const OTHER_CLINIC = 'Organization/ecg-other-clinic';
const CENTRE = 'Organization/ecg-centre';
const SCOPES = 'openid fhirUser user/*.cruds';

describe('ECG centre workflow (clinic uploads, centre reads, clinic issues) with real tokens', () => {
  const server = useAuthServer('postgres', {
    users: [
      { username: 'clinic-doctor', name: '基层医生', password: 'Qiao-test-2026!', roles: ['clinician'], organisation: CLINIC },
      { username: 'other-doctor', name: '他院医生', password: 'Qiao-test-2026!', roles: ['clinician'], organisation: OTHER_CLINIC },
      { username: 'centre-reader', name: '心电医生', password: 'Qiao-test-2026!', roles: ['ecg-reader'], organisation: CENTRE },
    ],
  });
  const tokens: Record<string, Record<string, string>> = {};
  let seq = 0;

  beforeAll(async () => {
    const admin = bearer(await adminToken(server));
    for (const [ref, name] of [[CLINIC, '某乡镇卫生院'], [OTHER_CLINIC, '另一卫生院'], [CENTRE, '县心电诊断中心']] as const) {
      const put = await call(server.base, 'PUT', ref, { resourceType: 'Organization', id: ref.split('/')[1], name }, admin);
      expect([200, 201]).toContain(put.status);
    }
    for (const username of ['clinic-doctor', 'other-doctor', 'centre-reader', 'ecg-reader']) {
      const reply = await userToken(server, { username, scopes: SCOPES });
      expect(reply.status).toBe(200);
      tokens[username] = bearer(reply.body.access_token as string);
    }
  });

  async function upload(): Promise<{ task: string; report: string }> {
    const xml = syntheticAecg({ bpm: 70, seed: `workflow-${++seq}`, patientId: `11010119800101${String(1000 + seq)}` });
    const reply = await call(server.base, 'POST', '$ecg-import', xml, { 'content-type': 'application/xml', ...tokens['clinic-doctor'] });
    expect(reply.status).toBe(200);
    const loc = (type: string) => (reply.body.entry as Json[]).map((e) => e.response.location as string).find((l) => l.startsWith(`${type}/`))!.replace(/\/_history\/.*/, '');
    return { task: loc('Task'), report: loc('DiagnosticReport') };
  }

  function step(user: string, task: string, action: string, extra: Json[] = []): Promise<Reply> {
    return call(server.base, 'POST', `${task}/$ecg-transition`, { resourceType: 'Parameters', parameter: [{ name: 'action', valueCode: action }, ...extra] }, tokens[user]);
  }
  const state = (reply: Reply) => reply.body.businessStatus.coding[0].code;

  it('runs the whole loop: upload → dispatch → accept → diagnose (coded) → report → acknowledge, each step stamped', async () => {
    const { task, report } = await upload();
    const uploaded = (await call(server.base, 'GET', task, undefined, tokens['clinic-doctor'])).body;
    expect(uploaded).toMatchObject({ status: 'requested', requester: { reference: CLINIC }, businessStatus: { coding: [{ code: 'uploaded' }] } });

    expect(state(await step('clinic-doctor', task, 'mark-urgent'))).toBe('uploaded');
    const edited = await step('clinic-doctor', task, 'edit-patient', [{ name: 'family', valueString: '王' }, { name: 'given', valueString: '五' }]);
    expect(edited.status).toBe(200);
    const patient = (await call(server.base, 'GET', uploaded.for.reference, undefined, tokens['clinic-doctor'])).body;
    expect(patient.name[0]).toMatchObject({ family: '王', given: ['五'] });

    const dispatched = await step('clinic-doctor', task, 'dispatch', [{ name: 'centre', valueReference: { reference: CENTRE } }]);
    expect(dispatched.body).toMatchObject({ priority: 'stat', owner: { reference: CENTRE } });

    // A reader outside the owning centre cannot accept it; the centre's reader can.
    expect((await step('ecg-reader', task, 'accept')).status).toBe(403);
    const accepted = await step('centre-reader', task, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'accepted', businessStatus: { coding: [{ code: 'accepted' }] } });

    // After acceptance the clinic can no longer withdraw; a statement outside the code system is refused.
    expect((await step('clinic-doctor', task, 'withdraw')).status).toBe(409);
    const unknown = await step('centre-reader', task, 'diagnose', [{ name: 'primary', valueCode: 'Z99' }]);
    expect(unknown.status).toBe(422);
    expect(firstIssue(unknown).details.text).toMatch(/不是心电图诊断术语 \| Z99 is not an ECG diagnostic statement/);
    expect((await step('centre-reader', task, 'diagnose', [{ name: 'primary', valueCode: 'A' }])).status).toBe(422);

    const diagnosed = await step('centre-reader', task, 'diagnose', [
      { name: 'primary', valueCode: 'A01' },
      { name: 'secondary', valueCode: 'B01' },
      { name: 'conclusion', valueString: '窦性心律，一度房室传导阻滞' },
    ]);
    expect(state(diagnosed)).toBe('diagnosed');
    const preliminary = (await call(server.base, 'GET', report, undefined, tokens['clinic-doctor'])).body;
    expect(preliminary.status).toBe('preliminary');
    expect(preliminary.conclusionCode.map((c: Json) => [c.coding[0].code, c.extension[0].valueCode])).toEqual([['A01', 'primary'], ['B01', 'secondary']]);

    expect((await step('other-doctor', task, 'acknowledge')).status).toBe(409); // not reported yet
    expect(state(await step('centre-reader', task, 'report'))).toBe('reported');
    const final = (await call(server.base, 'GET', report, undefined, tokens['clinic-doctor'])).body;
    expect(final.status).toBe('final');
    expect(final.conclusionCode.some((c: Json) => c.coding[0].code === 'AA')).toBe(false);

    // Another clinic's doctor may not issue this clinic's report; its own may.
    expect((await step('other-doctor', task, 'acknowledge')).status).toBe(403);
    const done = await step('clinic-doctor', task, 'acknowledge');
    expect((await call(server.base, 'GET', done.body.basedOn[0].reference, undefined, tokens['clinic-doctor'])).body.status).toBe('completed');
    expect(done.body).toMatchObject({ status: 'completed', businessStatus: { coding: [{ code: 'acknowledged' }] } });
    const steps = (done.body.extension as Json[]).filter((e) => e.url.endsWith('ecg-workflow-step')).map((e) => e.extension.find((x: Json) => x.url === 'state').valueCode);
    expect(steps).toEqual(['uploaded', 'dispatched', 'accepted', 'diagnosed', 'reported', 'acknowledged']);
    const acceptedStep = (done.body.extension as Json[]).find((e) => e.extension?.some((x: Json) => x.valueCode === 'accepted'));
    expect(acceptedStep.extension.find((x: Json) => x.url === 'actor').valueReference.reference).toMatch(/^Practitioner\//);
  });

  it('lets the clinic withdraw before acceptance, and nothing after', async () => {
    const { task } = await upload();
    await step('clinic-doctor', task, 'dispatch', [{ name: 'centre', valueReference: { reference: CENTRE } }]);
    expect((await step('other-doctor', task, 'withdraw')).status).toBe(403);
    const withdrawn = await step('clinic-doctor', task, 'withdraw', [{ name: 'reason', valueString: '患者信息录错' }]);
    expect(withdrawn.body).toMatchObject({ status: 'cancelled', businessStatus: { coding: [{ code: 'withdrawn' }] } });
    expect((await step('centre-reader', task, 'accept')).status).toBe(409);
    const order = (await call(server.base, 'GET', withdrawn.body.basedOn[0].reference, undefined, tokens['clinic-doctor'])).body;
    expect(order.status).toBe('revoked');
  });

  it('returns a poor tracing only with a reason', async () => {
    const { task } = await upload();
    await step('clinic-doctor', task, 'dispatch', [{ name: 'centre', valueReference: { reference: CENTRE } }]);
    await step('centre-reader', task, 'accept');
    expect((await step('centre-reader', task, 'return')).status).toBe(422);
    const returned = await step('centre-reader', task, 'return', [{ name: 'reason', valueString: '基线漂移严重，肢体导联接反' }]);
    expect(returned.body).toMatchObject({ status: 'rejected', statusReason: { text: '基线漂移严重，肢体导联接反' } });
  });

  it('refuses illegal transitions and roles on direct Task writes too (the write rule, not only the operation)', async () => {
    const { task } = await upload();
    const current = (await call(server.base, 'GET', task, undefined, tokens['clinic-doctor'])).body;
    const jump = { ...current, businessStatus: { coding: [{ system: 'https://qiao.health/fhir/CodeSystem/ecg-workflow-status', code: 'reported' }] } };
    const skipped = await call(server.base, 'PUT', task, jump, tokens['clinic-doctor']);
    expect(skipped.status).toBe(409);
    expect(firstIssue(skipped).expression).toEqual(['Task.businessStatus']);
    // A clinician may write Tasks, but accepting is the reader's step.
    const dispatched = (await step('clinic-doctor', task, 'dispatch', [{ name: 'centre', valueReference: { reference: CENTRE } }])).body;
    const accept = { ...dispatched, businessStatus: { coding: [{ system: 'https://qiao.health/fhir/CodeSystem/ecg-workflow-status', code: 'accepted' }] } };
    expect((await call(server.base, 'PUT', task, accept, tokens['clinic-doctor'])).status).toBe(403);
    const moved = { ...dispatched, for: { reference: 'Patient/someone-else' } };
    expect((await call(server.base, 'PUT', task, moved, tokens['clinic-doctor'])).status).toBe(409);
    expect((await step('centre-reader', task, 'fly')).status).toBe(400);
  });

  it('a critical statement (acute STEMI) codes the signed report critical and opens the critical-value loop; timeliness per site', async () => {
    const { task, report } = await upload();
    await step('clinic-doctor', task, 'dispatch', [{ name: 'centre', valueReference: { reference: CENTRE } }]);
    await step('centre-reader', task, 'accept');
    await step('centre-reader', task, 'diagnose', [{ name: 'primary', valueCode: 'C01' }, { name: 'secondary', valueCode: 'A01' }]);
    const reported = await step('centre-reader', task, 'report');
    expect(reported.status).toBe(200);
    expect(reported.body.extension.some((e: Json) => e.url.endsWith('ecg-critical') && e.valueBoolean)).toBe(true);
    const final = (await call(server.base, 'GET', report, undefined, tokens['clinic-doctor'])).body;
    expect(final.conclusionCode.some((c: Json) => c.coding.some((x: Json) => x.system === 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation' && x.code === 'AA'))).toBe(true);
    // The critical-value loop's alert to the ordering clinic, about this report.
    const alerts = await call(server.base, 'GET', `Communication?identifier=https://qiao.health/fhir/sid/critical-value-result|${report}`, undefined, tokens['clinic-doctor']);
    expect(alerts.status).toBe(200);
    expect(alerts.body.total ?? alerts.body.entry?.length).toBeGreaterThanOrEqual(1);
    // Sent to the clinic that ordered (the order the upload created names it as requester).
    expect(JSON.stringify(alerts.body.entry.map((e: Json) => e.resource.recipient))).toContain(CLINIC);

    const t = await call(server.base, 'GET', `$ecg-timeliness?period=all&site=${CLINIC}`, undefined, tokens['clinic-doctor']);
    expect(t.status).toBe(200);
    const group = (t.body.parameter as Json[]).find((p) => p.part.find((x: Json) => x.name === 'site').valueReference.reference === CLINIC);
    const part = (name: string) => group.part.find((x: Json) => x.name === name);
    expect(part('readings').valueInteger).toBe(seq);
    const count = (name: string) => part(name).part.find((x: Json) => x.name === 'count').valueInteger;
    // Accepted: the loop, the returned one and this one; diagnosed: the loop and this one; critical: this one.
    expect([count('acceptance'), count('diagnosis'), count('criticalReport')]).toEqual([3, 2, 1]);
    expect(part('criticalReport').part.find((x: Json) => x.name === 'median').valueDecimal).toBeGreaterThanOrEqual(0);
    expect((await call(server.base, 'GET', '$ecg-timeliness?period=week', undefined, tokens['clinic-doctor'])).status).toBe(400);
  });
});
