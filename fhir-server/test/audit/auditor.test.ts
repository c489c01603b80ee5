import { jest } from '@jest/globals';
import { auditLog } from '../../src/audit/index.js';
import { TEST_APP, useAuthServer, userToken } from '../support/auth.js';
import { call } from '../support/http.js';

jest.setTimeout(180000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('audit records with authorisation on (pglite)', () => {
  const server = useAuthServer('pglite');
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('names the user, the app and the token; only the auditor reads the records', async () => {
    const clinician = await userToken(server, { username: 'clinician', scopes: 'user/*.cruds' });
    expect(clinician.status).toBe(200);
    const auditor = await userToken(server, { username: 'auditor', scopes: 'user/AuditEvent.rs' });
    expect(auditor.status).toBe(200);
    const asClinician = bearer(clinician.body.access_token);

    const created = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '审计' }] }, asClinician);
    expect(created.status).toBe(201);
    expect((await call(server.base, 'GET', `Patient/${created.body.id}`, undefined, asClinician)).status).toBe(200);
    const refused = await call(server.base, 'GET', 'AuditEvent', undefined, asClinician);
    expect(refused.status).toBe(403);
    await auditLog(server.ctx).flush();

    const reply = await call(server.base, 'GET', `AuditEvent?altid=clinician&patient=${created.body.id}&_count=50`, undefined, bearer(auditor.body.access_token));
    expect(reply.status).toBe(200);
    const events: Json[] = reply.body.entry.map((e: Json) => e.resource);
    expect(events.map((e) => e.action).sort()).toEqual(['C', 'R']);
    for (const e of events) {
      expect(e.agent[0]).toMatchObject({ altId: 'clinician', requestor: true, who: { identifier: { value: 'clinician' } } });
      expect(e.agent[0].policy[0]).toMatch(/^urn:ietf:params:oauth:jti:./);
      expect(e.agent[1]).toMatchObject({ requestor: false, who: { identifier: { system: 'https://qiao.health/fhir/sid/client-id', value: TEST_APP } } });
    }
    // The clinician's refused attempt on the audit trail is itself recorded.
    const attempts = await call(server.base, 'GET', 'AuditEvent?altid=clinician&outcome=4', undefined, bearer(auditor.body.access_token));
    expect(attempts.body.entry.map((e: Json) => e.resource.outcomeDesc.slice(0, 3))).toEqual(['403']);
  });
});
