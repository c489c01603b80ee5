import { jest } from '@jest/globals';
import { demoDataset } from '../../../src/seed/bundles.js';
import { loadReferralDemo } from '../../../src/workflows/referral/demo.js';
import { call } from '../../support/http.js';
import { useTestServer } from '../../support/test-server.js';

jest.setTimeout(180_000);

describe('two-way referral demo data (PostgreSQL)', () => {
  const server = useTestServer('postgres');

  it('adds care levels to a township health centre and its county hospital, and one upward referral waiting for approval', async () => {
    for (const bundle of demoDataset()) expect((await call(server.base, 'POST', '', bundle)).status).toBe(200);
    await loadReferralDemo(server.ctx, server.base);
    const tasks = (await call(server.base, 'GET', 'Task?code=http://snomed.info/sct|3457005&business-status=awaiting-applicant-approval')).body;
    expect(tasks.entry).toHaveLength(1);
    const task = tasks.entry[0].resource;
    expect(task.status).toBe('requested');
    const request = (await call(server.base, 'GET', task.basedOn[0].reference)).body;
    expect(request.supportingInfo?.[0]?.reference).toMatch(/^Condition\//);
    const stats = (await call(server.base, 'GET', 'Task/$referral-stats')).body;
    const direction = stats.group[0].stratifier.find((s: { code: { coding: { code: string }[] }[] }) => s.code[0]?.coding[0]?.code === 'direction');
    expect(direction.stratum.map((s: { value: { text: string } }) => s.value.text)).toEqual(['up']);
    expect((await call(server.base, 'GET', 'CodeSystem?url=https://qiao.health/fhir/CodeSystem/referral-status')).body.entry[0].resource.concept).toHaveLength(11);
  });
});
