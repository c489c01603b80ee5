import type { QuestionnaireResponse, QuestionnaireResponseItem } from '@medplum/fhirtypes';
import { TASK_CODE_SYSTEM } from '../../src/registries/cancer/tasks.js';
import { call, type Reply } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';
import { created, hospital, patient } from './synthetic.js';

const HYPERTENSION = 'https://qiao.health/fhir/Questionnaire/hypertension-follow-up';
const DIABETES = 'https://qiao.health/fhir/Questionnaire/diabetes-follow-up';
const OUTCOME = { prefer: 'return=OperationOutcome' };

function visit(questionnaire: string, patientRef: string, date: string, answers: Record<string, number | boolean | string>): QuestionnaireResponse {
  const item: QuestionnaireResponseItem[] = [{ linkId: 'visit-date', answer: [{ valueDate: date }] }];
  for (const [linkId, value] of Object.entries(answers)) {
    const answer = typeof value === 'boolean' ? { valueBoolean: value } : typeof value === 'string' ? { valueCoding: { code: value } } : Number.isInteger(value) ? { valueInteger: value } : { valueDecimal: value };
    item.push({ linkId, answer: [answer] });
  }
  return { resourceType: 'QuestionnaireResponse', questionnaire, status: 'completed', subject: { reference: patientRef }, authored: `${date}T09:00:00+08:00`, item };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const issue = (reply: Reply, id: string): any => reply.body.issue.find((i: { details?: { coding?: { code: string }[] } }) => i.details?.coding?.[0]?.code === id);

describe('chronic disease follow-up: next visit, follow-up Tasks and the referral trigger', () => {
  const server = useTestServer('postgres');
  let township = '';
  let county = '';

  beforeAll(async () => {
    county = await created(server.base, hospital(30));
    township = await created(server.base, hospital(31, county));
  });

  async function tasksOf(patientRef: string, status: string): Promise<{ executionPeriod?: { start?: string }; status: string }[]> {
    const reply = await call(server.base, 'GET', `Task?patient=${patientRef}&code=${TASK_CODE_SYSTEM}|chronic-follow-up&status=${status}`);
    return (reply.body.entry ?? []).map((e: { resource: unknown }) => e.resource);
  }

  it('the shipped forms are served by $registry-forms', async () => {
    const reply = await call(server.base, 'GET', 'Questionnaire/$registry-forms');
    expect(reply.status).toBe(200);
    const urls = reply.body.entry.map((e: { resource: { url: string } }) => e.resource.url);
    expect(urls).toEqual([HYPERTENSION, DIABETES]);
    const items = reply.body.entry[0].resource.item.map((i: { linkId: string }) => i.linkId);
    expect(items).toEqual(expect.arrayContaining(['sbp', 'dbp', 'classification', 'next-visit-date', 'medication-adherence']));
  });

  it('hypertension: controlled → 3 months; not controlled → 2 weeks; twice in a row → a draft referral to the alliance hospital', async () => {
    const p = await created(server.base, { ...patient(31, 'male', '1956-06-06'), managingOrganization: { reference: township } } as never);
    const first = await call(server.base, 'POST', 'QuestionnaireResponse', visit(HYPERTENSION, p, '2026-09-01', { sbp: 132, dbp: 84 }), OUTCOME);
    expect(first.status).toBe(201);
    expect(issue(first, 'CF-NEXT').diagnostics).toBe('Visit assessed as controlled; next follow-up on 2026-11-30');
    expect((await tasksOf(p, 'requested')).map((t) => t.executionPeriod?.start)).toEqual(['2026-11-30']);

    const second = await call(server.base, 'POST', 'QuestionnaireResponse', visit(HYPERTENSION, p, '2026-11-30', { sbp: 152, dbp: 94 }), OUTCOME);
    expect(issue(second, 'CF-NEXT').diagnostics).toBe('Visit assessed as uncontrolled; next follow-up on 2026-12-14');
    expect(issue(second, 'CF-REFERRAL')).toBeUndefined();
    expect((await tasksOf(p, 'requested')).map((t) => t.executionPeriod?.start)).toEqual(['2026-12-14']);
    expect(await tasksOf(p, 'completed')).toHaveLength(1);

    const third = await call(server.base, 'POST', 'QuestionnaireResponse', visit(HYPERTENSION, p, '2026-12-14', { sbp: 148, dbp: 92 }), OUTCOME);
    expect(third.status).toBe(201);
    expect(issue(third, 'CF-REFERRAL').details.text).toMatch(/连续两次随访控制不满意/);
    const requests = await call(server.base, 'GET', `ServiceRequest?subject=${p}&category=http://snomed.info/sct|3457005`);
    expect(requests.body.entry).toHaveLength(1);
    const request = requests.body.entry[0].resource;
    expect(request).toMatchObject({ status: 'draft', intent: 'proposal', requester: { reference: township }, performer: [{ reference: county }] });
    const referral = await call(server.base, 'GET', `Task?based-on=ServiceRequest/${request.id}`);
    expect(referral.body.entry[0].resource).toMatchObject({ status: 'draft', requester: { reference: township }, owner: { reference: county }, for: { reference: p } });
    expect(referral.body.entry[0].resource.businessStatus.coding[0].code).toBe('draft');

    // The stored response carries the assessment and the computed next date.
    const stored = await call(server.base, 'GET', `QuestionnaireResponse?subject=${p}&_sort=-authored&_count=1`);
    const qr = stored.body.entry[0].resource;
    expect(qr.extension[0]).toEqual({ url: 'https://qiao.health/fhir/StructureDefinition/chronic-control-status', valueCode: 'uncontrolled' });
    expect(qr.item.find((i: { linkId: string }) => i.linkId === 'next-visit-date').answer[0].valueDate).toBe('2026-12-28');
  });

  it('hypertension crisis (≥180/110) refers at once; a doctor\'s own next date is kept', async () => {
    const p = await created(server.base, { ...patient(32, 'female', '1950-01-02'), managingOrganization: { reference: township } } as never);
    const reply = await call(server.base, 'POST', 'QuestionnaireResponse', { ...visit(HYPERTENSION, p, '2026-10-10', { sbp: 186, dbp: 112 }) }, OUTCOME);
    expect(reply.status).toBe(201);
    expect(issue(reply, 'CF-NEXT').diagnostics).toBe('Visit assessed as emergency; next follow-up on 2026-10-24');
    expect(issue(reply, 'CF-REFERRAL').diagnostics).toMatch(/Emergency referral: Systolic ≥180 mmHg/);
    const chosen = visit(HYPERTENSION, p, '2026-10-24', { sbp: 128, dbp: 80 });
    chosen.item?.push({ linkId: 'next-visit-date', answer: [{ valueDate: '2027-01-05' }] });
    const later = await call(server.base, 'POST', 'QuestionnaireResponse', chosen, OUTCOME);
    expect(issue(later, 'CF-NEXT').diagnostics).toBe('Visit assessed as controlled; next follow-up on 2027-01-05');
  });

  it('type 2 diabetes by fasting glucose; low glucose is an emergency; a patient without an alliance hospital gets a draft request only', async () => {
    const p = await created(server.base, patient(33, 'male', '1962-03-03'));
    const high = await call(server.base, 'POST', 'QuestionnaireResponse', visit(DIABETES, p, '2026-08-01', { 'fasting-glucose': 8.4, sbp: 130, dbp: 80 }), OUTCOME);
    expect(issue(high, 'CF-NEXT').diagnostics).toBe('Visit assessed as uncontrolled; next follow-up on 2026-08-15');
    const low = await call(server.base, 'POST', 'QuestionnaireResponse', visit(DIABETES, p, '2026-08-15', { 'fasting-glucose': 3.6, sbp: 120, dbp: 76 }), OUTCOME);
    expect(issue(low, 'CF-REFERRAL-DRAFT').details.text).toMatch(/未能确定接收机构/);
    const good = await call(server.base, 'POST', 'QuestionnaireResponse', visit(DIABETES, p, '2026-08-29', { 'fasting-glucose': 6.1, sbp: 120, dbp: 76 }), OUTCOME);
    expect(issue(good, 'CF-NEXT').diagnostics).toBe('Visit assessed as controlled; next follow-up on 2026-11-27');
  });

  it('a form without an existing patient is refused; death closes the chronic follow-up', async () => {
    const orphan = await call(server.base, 'POST', 'QuestionnaireResponse', visit(HYPERTENSION, 'Patient/nobody', '2026-08-01', { sbp: 120, dbp: 80 }));
    expect(orphan.status).toBe(422);
    expect(orphan.body.issue[0].expression).toEqual(['QuestionnaireResponse.subject']);
    const p = await created(server.base, patient(34, 'male', '1940-01-01'));
    await call(server.base, 'POST', 'QuestionnaireResponse', visit(HYPERTENSION, p, '2026-08-01', { sbp: 120, dbp: 80 }));
    const current = (await call(server.base, 'GET', p)).body;
    expect((await call(server.base, 'PUT', p, { ...current, deceasedDateTime: '2026-09-01' })).status).toBe(200);
    expect(await tasksOf(p, 'requested')).toHaveLength(0);
    expect(await tasksOf(p, 'completed')).toHaveLength(1);
    // A death record from the death registration feed (LOINC 81956-5 date of death) closes them too.
    const q = await created(server.base, patient(35, 'female', '1941-01-01'));
    await call(server.base, 'POST', 'QuestionnaireResponse', visit(HYPERTENSION, q, '2026-08-01', { sbp: 120, dbp: 80 }));
    const record = await call(server.base, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '81956-5' }] }, subject: { reference: q }, valueDateTime: '2026-09-02T10:00:00+08:00' });
    expect(record.status).toBe(201);
    const closed = await tasksOf(q, 'completed');
    expect(closed).toHaveLength(1);
    expect((closed[0] as unknown as { output: { valueDateTime: string }[] }).output.at(-1)?.valueDateTime).toBe('2026-09-02T10:00:00+08:00');
  });
});
