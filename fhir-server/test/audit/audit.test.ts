import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { auditLog, recordSecurityEvent } from '../../src/audit/index.js';
import { call, firstIssue } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

jest.setTimeout(120000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const CLIENT_SID = 'https://qiao.health/fhir/sid/client-id';
const INTERACTION = 'http://hl7.org/fhir/restful-interaction';

const patient = { resourceType: 'Patient', name: [{ text: '张三' }], gender: 'male', birthDate: '1980-01-02' };
const observation = (id: string) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
  subject: { reference: `Patient/${id}` },
  valueQuantity: { value: 132, unit: 'g/L', system: 'http://unitsofmeasure.org', code: 'g/L' },
});

/** Sorted keys, no white space: the canonical form the chain hashes, written out independently here. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe.each(BACKENDS)('audit trail on %s', (backend) => {
  const server = useTestServer(backend);
  const search = async (query: string): Promise<Json[]> => {
    await auditLog(server.ctx).flush();
    const reply = await call(server.base, 'GET', `AuditEvent?${query}&_count=200`);
    expect(reply.status).toBe(200);
    return (reply.body.entry ?? []).map((e: Json) => e.resource);
  };
  const subtypes = (events: Json[]) => events.map((e) => e.subtype.find((s: Json) => s.system === INTERACTION)?.code).sort();

  let patientId = '';
  let observationId = '';
  const started = new Date().toISOString();

  it('records reads, searches, writes and failures in the BALP shape, searchable by patient, action, outcome and date', async () => {
    const created = await call(server.base, 'POST', 'Patient', patient);
    patientId = created.body.id;
    // The create's record commits with it: searchable at once, with no flush.
    const [own] = (await call(server.base, 'GET', `AuditEvent?entity=Patient/${patientId}&action=C`)).body.entry.map((e: Json) => e.resource);
    expect(own).toMatchObject({
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      action: 'C',
      outcome: '0',
      source: { observer: { display: 'Qiao FHIR server' } },
    });
    expect(own.subtype).toContainEqual({ system: INTERACTION, code: 'create' });
    expect(own.agent[0]).toMatchObject({ requestor: true, who: { identifier: { system: CLIENT_SID, value: 'development' } } });
    expect(own.entity).toContainEqual(expect.objectContaining({ what: { reference: `Patient/${patientId}` }, role: expect.objectContaining({ code: '1' }) }));
    expect(own.entity.find((e: Json) => e.type.code === 'XrequestId').what.identifier.value).toBe(created.headers.get('x-request-id'));
    expect(own.agent[0].network.address).toMatch(/127\.0\.0\.1/);
    // A time-ordered id (UUID version 7): its first 48 bits are the moment it was written.
    expect(own.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const idTime = parseInt(own.id.replace(/-/g, '').slice(0, 12), 16);
    expect(idTime).toBeGreaterThanOrEqual(Date.parse(started));
    expect(idTime).toBeLessThanOrEqual(Date.now());

    observationId = (await call(server.base, 'POST', 'Observation', observation(patientId))).body.id;
    expect((await call(server.base, 'GET', `Observation/${observationId}`)).status).toBe(200);
    expect((await call(server.base, 'GET', `Observation?subject=Patient/${patientId}&code=718-7`)).body.total).toBe(1);
    expect((await call(server.base, 'PUT', `Observation/${observationId}`, { ...observation(patientId), id: observationId, status: 'amended' })).status).toBe(200);
    expect((await call(server.base, 'DELETE', `Observation/${observationId}`)).status).toBe(200);
    expect((await call(server.base, 'GET', `Observation/${observationId}`)).status).toBe(410);
    expect((await call(server.base, 'POST', 'Observation', { ...observation(patientId), status: 'not-a-status' })).status).toBe(400);

    const about = await search(`patient=Patient/${patientId}`);
    // The refused create is about the patient its body names; the delete about the patient of what it removed.
    expect(subtypes(about)).toEqual(['create', 'create', 'create', 'delete', 'read', 'search-type', 'update']);
    const query = about.find((e) => e.subtype[0].code === 'search-type').entity.find((e: Json) => e.role.code === '24');
    expect(Buffer.from(query.query, 'base64').toString()).toBe(`GET Observation?subject=${encodeURIComponent(`Patient/${patientId}`)}&code=718-7`);

    const deletes = await search(`action=D&patient=${patientId}`);
    expect(deletes).toHaveLength(1);
    expect(deletes[0].entity).toContainEqual(expect.objectContaining({ what: { reference: `Observation/${observationId}` } }));

    const failures = await search(`outcome=4&date=ge${started}`);
    expect(failures.map((e) => e.outcomeDesc.slice(0, 3)).sort()).toEqual(['400', '410']);
    expect(failures.find((e) => e.action === 'R').entity).toContainEqual(expect.objectContaining({ what: { reference: `Observation/${observationId}` } }));
    expect(failures.find((e) => e.action === 'C').outcomeDesc).toContain('|');

    expect((await search(`date=ge${started}&patient=${patientId}`)).length).toBe(about.length);
    expect(await search(`date=lt${started}&patient=${patientId}`)).toEqual([]);
  });

  it('records security events with the user and client, searchable by user and client', async () => {
    const principal = { kind: 'user' as const, username: 'li.si', clientId: 'viewer', fhirUser: 'Practitioner/p1', roles: ['clinician' as const], scopes: [], tokenId: 'tok-1' };
    await recordSecurityEvent(server.ctx, { kind: 'login', outcome: 'success', principal });
    await recordSecurityEvent(server.ctx, { kind: 'login', outcome: 'failure', username: 'li.si', clientId: 'viewer', detail: '密码错误 | wrong password' });
    await recordSecurityEvent(server.ctx, { kind: 'user-disabled', outcome: 'success', principal: { kind: 'user', username: 'admin', roles: ['administrator'], scopes: [] }, username: 'li.si' });

    const byUser = await search('altid=li.si');
    expect(byUser.map((e) => `${e.subtype[0].code}:${e.outcome}`).sort()).toEqual(['110122:0', '110122:4']);
    const ok = byUser.find((e) => e.outcome === '0');
    expect(ok.agent[0]).toMatchObject({ who: { reference: 'Practitioner/p1' }, policy: ['urn:ietf:params:oauth:jti:tok-1'], requestor: true });
    expect(ok.agent[1]).toMatchObject({ who: { identifier: { system: CLIENT_SID, value: 'viewer' } }, requestor: false });
    expect(await search(`agent:identifier=${CLIENT_SID}|viewer&subtype=http://dicom.nema.org/resources/ontology/DCM|110122`)).toHaveLength(2);
    expect((await search('agent=Practitioner/p1')).length).toBe(1);
    const admin = await search('agent-name=admin');
    expect(admin).toHaveLength(1);
    expect(admin[0].entity).toContainEqual(expect.objectContaining({ what: expect.objectContaining({ identifier: { system: 'https://qiao.health/fhir/sid/username', value: 'li.si' } }) }));
  });

  it('reaches the trail by name only: left out of searches, history, $everything and compartments that name no type', async () => {
    await auditLog(server.ctx).flush();
    const types = async (path: string) => {
      const reply = await call(server.base, 'GET', path);
      expect(reply.status).toBe(200);
      // A deletion in history has no resource, only its request URL (`Observation/1`).
      return new Set((reply.body.entry ?? []).map((e: Json) => e.resource?.resourceType ?? e.request.url.split('/')[0]));
    };
    expect(await types(`?_count=500`)).not.toContain('AuditEvent');
    expect(await types(`_history?_count=500`)).not.toContain('AuditEvent');
    const everything = await types(`Patient/${patientId}/$everything?_count=500`);
    expect(everything).toContain('Patient');
    expect(everything).not.toContain('AuditEvent');
    expect(await types(`Patient/${patientId}/*?_count=500`)).not.toContain('AuditEvent');
    expect(await types(`?_type=AuditEvent&_count=5`)).toEqual(new Set(['AuditEvent']));
    expect(await types(`Patient/${patientId}/AuditEvent?_count=5`)).toEqual(new Set(['AuditEvent']));
    expect(await types(`AuditEvent/_history?_count=5`)).toEqual(new Set(['AuditEvent']));
  });

  it('refuses to create, change or delete audit records, even in a transaction', async () => {
    const [event] = await search(`patient=${patientId}&action=C`);
    for (const [method, path, body] of [
      ['PUT', `AuditEvent/${event.id}`, { ...event, outcome: '0' }],
      ['DELETE', `AuditEvent/${event.id}`, undefined],
      ['POST', 'AuditEvent', { ...event, id: undefined }],
      ['PATCH', `AuditEvent/${event.id}`, [{ op: 'replace', path: '/outcome', value: '4' }]],
    ] as const) {
      const reply = await call(server.base, method, path, body, method === 'PATCH' ? { 'content-type': 'application/json-patch+json' } : {});
      expect(reply.status).toBe(405);
      expect(firstIssue(reply).diagnostics ?? firstIssue(reply).details.text).toMatch(/AuditEvent/);
    }
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { ...event, id: undefined }, request: { method: 'POST', url: 'AuditEvent' } }] };
    const tx = await call(server.base, 'POST', '', bundle);
    expect(tx.status).toBe(405);
    expect(firstIssue(tx).expression).toEqual(['Bundle.entry[0]']);
    expect((await call(server.base, 'GET', `AuditEvent/${event.id}`)).body.meta.versionId).toBe('1');
  });

  it('writes records that are valid R4 AuditEvents (POST $validate is not a write)', async () => {
    const [rest] = await search(`patient=${patientId}&action=C`);
    const [login] = await search('altid=li.si&outcome=0');
    for (const event of [rest, login]) {
      const reply = await call(server.base, 'POST', 'AuditEvent/$validate', event);
      expect(reply.status).toBe(200);
      expect(reply.body.issue.filter((i: Json) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
    }
  });

  it('a transaction and its audit record commit together; a failed one leaves only the failure record', async () => {
    const since = new Date().toISOString();
    const entry = (status: string) => ({ resource: { ...observation(patientId), status }, request: { method: 'POST', url: 'Observation' } });
    const good = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [entry('final'), entry('preliminary')] });
    expect(good.status).toBe(200);
    const bad = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [entry('final'), entry('bogus')] });
    expect(bad.status).toBe(400);
    const transactions = await search(`subtype=${INTERACTION}|transaction&patient=${patientId}&date=ge${since}`);
    expect(transactions.map((e) => e.outcome).sort()).toEqual(['0', '4']);
    const ok = transactions.find((e) => e.outcome === '0');
    const locations = good.body.entry.map((e: Json) => e.response.location.replace(/\/_history\/.*/, ''));
    for (const location of locations) expect(ok.entity).toContainEqual(expect.objectContaining({ what: { reference: location } }));
  });

  it('links every record into one SM3 chain, in order, under concurrent requests', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? call(server.base, 'POST', 'Observation', observation(patientId)) : call(server.base, 'GET', `Patient/${patientId}`))));
    await auditLog(server.ctx).flush();
    const chain = await server.ctx.db.query<{ seq: string; event_id: string; hash: string }>('SELECT seq::text AS seq, event_id, hash FROM audit_chain ORDER BY audit_chain.seq');
    const [{ n }] = (await server.ctx.db.query<{ n: string }>("SELECT count(*)::text AS n FROM resource WHERE resource_type = 'AuditEvent'")) as [{ n: string }];
    expect(chain.map((c) => c.seq)).toEqual(chain.map((_, i) => String(i + 1)));
    expect(chain.length).toBe(Number(n));
    let previous = Buffer.alloc(32);
    for (const row of chain.slice(0, 5)) {
      const [stored] = (await server.ctx.db.query<{ content: string }>("SELECT content FROM resource_history WHERE resource_type = 'AuditEvent' AND id = $1", [row.event_id])) as [{ content: string }];
      const expected = createHash('sm3').update(Buffer.concat([previous, Buffer.from(canonical(JSON.parse(stored.content)))])).digest();
      expect(row.hash).toBe(expected.toString('hex'));
      previous = expected;
    }
  });
});
