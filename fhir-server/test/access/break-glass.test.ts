import { jest } from '@jest/globals';
import type { Resource } from '@medplum/fhirtypes';
import { auditLog } from '../../src/audit/index.js';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.js';
import { handle } from '../../src/router/router.js';
import { bearer, userToken, useAuthServer } from '../support/auth.js';
import { call } from '../support/http.js';

jest.setTimeout(180000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

describe('emergency access (break-glass) with QIAO_CROSS_ORG=shared-only (PostgreSQL, auth on)', () => {
  const server = useAuthServer('postgres', {
    config: { crossOrg: 'shared-only' },
    users: [
      { username: 'doctor-a', name: '甲医院医生', password: 'Qiao-test-2026!', roles: ['clinician'], organisation: 'Organization/org-a' },
      { username: 'doctor-c', name: '丙医院医生', password: 'Qiao-test-2026!', roles: ['clinician'], organisation: 'Organization/org-a' },
    ],
  });
  const put = async (resource: Resource) => {
    const reply = await handle(server.ctx, { method: 'PUT', path: `${resource.resourceType}/${resource.id}`, query: [], body: resource, prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
    expect(reply.status).toBeLessThan(300);
  };
  const as = async (username: string) => bearer((await userToken(server, { username, scopes: 'user/*.cruds' })).body.access_token as string);
  const grant = (h: Record<string, string>, patient: string, reason?: string) =>
    call(server.base, 'POST', `Patient/${patient}/$break-glass`, { resourceType: 'Parameters', parameter: reason ? [{ name: 'reason', valueString: reason }] : [] }, h);

  beforeAll(async () => {
    await put({ resourceType: 'Organization', id: 'org-a', name: '甲医院' });
    await put({ resourceType: 'Organization', id: 'org-b', name: '乙医院' });
    await put({ resourceType: 'Patient', id: 'bg-b', managingOrganization: { reference: 'Organization/org-b' }, name: [{ text: '急诊患者' }] });
    await put({ resourceType: 'Patient', id: 'bg-other', managingOrganization: { reference: 'Organization/org-b' }, name: [{ text: '其他患者' }] });
    await put({ resourceType: 'AllergyIntolerance', id: 'bg-allergy', patient: { reference: 'Patient/bg-b' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, code: { text: '青霉素过敏' } } as Resource);
    await put({ resourceType: 'Condition', id: 'bg-secret', meta: { security: [{ system: CONFIDENTIALITY, code: 'V' }] }, subject: { reference: 'Patient/bg-b' }, code: { text: '保密诊断' } } as Resource);
    await put({ resourceType: 'Condition', id: 'bg-other-cond', subject: { reference: 'Patient/bg-other' }, code: { text: '其他' } } as Resource);
  });

  it('a clinician of another organisation reaches the patient only after a grant with a reason; every access is recorded with purpose BTG', async () => {
    const h = await as('doctor-a');
    expect((await call(server.base, 'GET', 'Patient/bg-b', undefined, h)).status).toBe(404);
    expect((await call(server.base, 'GET', 'AllergyIntolerance?patient=bg-b&_total=accurate', undefined, h)).body.total).toBe(0);

    const noReason = await grant(h, 'bg-b');
    expect(noReason.status).toBe(400);
    expect(noReason.body.issue[0].diagnostics ?? noReason.body.issue[0].details.text).toContain('reason');

    const granted = await grant(h, 'bg-b', '昏迷急诊，需查过敏史 | unconscious in ED');
    expect(granted.status).toBe(200);
    const parts = Object.fromEntries(granted.body.parameter.map((p: Json) => [p.name, p.valueString ?? p.valueDateTime ?? p.valueReference?.reference ?? p.valueCoding?.code]));
    expect(parts).toMatchObject({ user: 'doctor-a', patient: 'Patient/bg-b', purposeOfUse: 'BTG' });
    const hours = (Date.parse(parts.expires) - Date.parse(parts.granted)) / 3600_000;
    expect(hours).toBeCloseTo(4, 1);

    // The same token, next request: the patient, the allergy and even the V-labelled record, that patient only.
    expect((await call(server.base, 'GET', 'Patient/bg-b', undefined, h)).status).toBe(200);
    expect((await call(server.base, 'GET', 'AllergyIntolerance?patient=bg-b&_total=accurate', undefined, h)).body.total).toBe(1);
    expect((await call(server.base, 'GET', 'Condition/bg-secret', undefined, h)).status).toBe(200);
    expect((await call(server.base, 'GET', 'Patient/bg-other', undefined, h)).status).toBe(404);
    expect((await call(server.base, 'GET', 'Condition/bg-other-cond', undefined, h)).status).toBe(404);
    // Another clinician of the same organisation holds no grant.
    expect((await call(server.base, 'GET', 'Patient/bg-b', undefined, await as('doctor-c'))).status).toBe(404);

    await auditLog(server.ctx).flush();
    const auditor = await as('auditor');
    const records = await call(server.base, 'GET', 'AuditEvent?patient=Patient/bg-b&altid=doctor-a&outcome=0&_count=50', undefined, auditor);
    const btg = (records.body.entry as Json[]).map((e) => e.resource).filter((e) => e.purposeOfEvent);
    // The grant itself, the read, the search and the V-labelled read.
    expect(btg.length).toBe(4);
    for (const e of btg) {
      expect(e.purposeOfEvent[0]).toMatchObject({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG' }], text: '昏迷急诊，需查过敏史 | unconscious in ED' });
      expect(e.agent[0].purposeOfUse[0].coding[0].code).toBe('BTG');
    }
    expect(btg.map((e) => e.subtype?.map((s: Json) => s.code).join(' ')).sort()).toEqual(['operation $break-glass', 'read', 'read', 'search-type'].sort());

    // The security officer lists the grants; a clinician may not.
    const officer = await as('security-officer');
    const list = await call(server.base, 'GET', '$break-glass-grants?active=true&patient=bg-b', undefined, officer);
    expect(list.status).toBe(200);
    expect(list.body.parameter).toHaveLength(1);
    expect(list.body.parameter[0].part).toContainEqual({ name: 'reason', valueString: '昏迷急诊，需查过敏史 | unconscious in ED' });
    expect((await call(server.base, 'GET', '$break-glass-grants', undefined, h)).status).toBe(403);
  });

  it('a registry analyst may not break the glass; an expired grant opens nothing', async () => {
    const analyst = await as('registry-analyst');
    expect((await grant(analyst, 'bg-b', '科研 | research')).status).toBe(403);
    const h = await as('doctor-c');
    expect((await grant(h, 'bg-other', '急诊 | emergency')).status).toBe(200);
    expect((await call(server.base, 'GET', 'Patient/bg-other', undefined, h)).status).toBe(200);
    await server.ctx.db.query("UPDATE access_break_glass SET expires_at = now() - interval '1 second' WHERE username = 'doctor-c'");
    expect((await call(server.base, 'GET', 'Patient/bg-other', undefined, h)).status).toBe(404);
  });
});
