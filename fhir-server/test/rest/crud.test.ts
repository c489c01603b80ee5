import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';

const patient = (family: string) => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: `11010519491231002X` }],
  name: [{ text: `${family}伟`, family, given: ['伟'] }],
  gender: 'male',
  birthDate: '1949-12-31',
});

describe.each(BACKENDS)('REST core on %s', (backend) => {
  const server = useTestServer(backend);

  it('serves a CapabilityStatement generated from the routes', async () => {
    const r = await call(server.base, 'GET', 'metadata');
    expect(r.status).toBe(200);
    expect(r.body.fhirVersion).toBe('4.0.1');
    const patientEntry = r.body.rest[0].resource.find((x: { type: string }) => x.type === 'Patient');
    expect(patientEntry.interaction.map((i: { code: string }) => i.code)).toEqual(
      expect.arrayContaining(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type']),
    );
    expect(r.body.rest[0].interaction.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch']));
    expect(patientEntry.searchParam.map((p: { name: string }) => p.name)).toContain('identifier');
  });

  it('creates, reads, versions, updates and deletes a resource', async () => {
    const created = await call(server.base, 'POST', 'Patient', { ...patient('张'), id: 'ignored-client-id' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(id).not.toBe('ignored-client-id');
    expect(created.headers.get('location')).toBe(`${server.base}/Patient/${id}/_history/1`);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body.meta.versionId).toBe('1');
    expect(created.body.name[0].text).toBe('张伟');

    const read = await call(server.base, 'GET', `Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(new Date(read.headers.get('last-modified') ?? '').getTime()).toBe(
      Math.floor(Date.parse(created.body.meta.lastUpdated) / 1000) * 1000,
    );

    const updated = await call(server.base, 'PUT', `Patient/${id}`, { ...read.body, gender: 'female' }, { 'if-match': 'W/"1"' });
    expect(updated.status).toBe(200);
    expect(updated.body.meta.versionId).toBe('2');
    expect(updated.body.gender).toBe('female');

    const stale = await call(server.base, 'PUT', `Patient/${id}`, { ...read.body, gender: 'other' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(firstIssue(stale).code).toBe('conflict');

    const v1 = await call(server.base, 'GET', `Patient/${id}/_history/1`);
    expect(v1.body.gender).toBe('male');
    expect((await call(server.base, 'GET', `Patient/${id}/_history/9`)).status).toBe(404);

    const notModified = await call(server.base, 'GET', `Patient/${id}`, undefined, { 'if-none-match': 'W/"2"' });
    expect(notModified.status).toBe(304);

    const deleted = await call(server.base, 'DELETE', `Patient/${id}`);
    expect(deleted.status).toBe(200);
    const gone = await call(server.base, 'GET', `Patient/${id}`);
    expect(gone.status).toBe(410);
    expect(firstIssue(gone).code).toBe('deleted');
    expect((await call(server.base, 'DELETE', `Patient/${id}`)).status).toBe(200);

    const history = await call(server.base, 'GET', `Patient/${id}/_history`);
    expect(history.body.type).toBe('history');
    expect(history.body.total).toBe(3);
    expect(history.body.entry.map((e: { response: { etag: string } }) => e.response.etag)).toEqual(['W/"3"', 'W/"2"', 'W/"1"']);
    expect(history.body.entry[0].request.method).toBe('DELETE');
    expect(history.body.entry[0].resource).toBeUndefined();
  });

  it('creates with a client-assigned id on update, and rejects mismatched ids', async () => {
    const id = `client-${backend}`;
    const put = await call(server.base, 'PUT', `Patient/${id}`, { ...patient('李'), id });
    expect(put.status).toBe(201);
    expect(put.body.id).toBe(id);
    const again = await call(server.base, 'PUT', `Patient/${id}`, { ...patient('李'), id });
    expect(again.status).toBe(200);
    expect(again.body.meta.versionId).toBe('2');
    const mismatch = await call(server.base, 'PUT', `Patient/${id}`, { ...patient('李'), id: 'other' });
    expect(mismatch.status).toBe(400);
    expect(firstIssue(mismatch).expression).toEqual(['Patient.id']);
    const noId = await call(server.base, 'PUT', `Patient/${id}`, patient('李'));
    expect(noId.status).toBe(400);
  });

  it('pages history at type and system level with _since and _count', async () => {
    const before = new Date().toISOString();
    for (let i = 0; i < 5; i++) await call(server.base, 'POST', 'Organization', { resourceType: 'Organization', name: `机构${i}` });
    const page1 = await call(server.base, 'GET', `Organization/_history?_since=${encodeURIComponent(before)}&_count=2`);
    expect(page1.body.total).toBe(5);
    expect(page1.body.entry).toHaveLength(2);
    // A version written after the first page must not shift the later pages.
    await call(server.base, 'POST', 'Organization', { resourceType: 'Organization', name: '后来的机构' });
    const seen = page1.body.entry.map((e: { fullUrl: string }) => e.fullUrl);
    let next = page1.body.link.find((l: { relation: string }) => l.relation === 'next')?.url;
    while (next) {
      const page = await call(server.base, 'GET', next.slice(server.base.length + 1));
      seen.push(...page.body.entry.map((e: { fullUrl: string }) => e.fullUrl));
      next = page.body.link.find((l: { relation: string }) => l.relation === 'next')?.url;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const system = await call(server.base, 'GET', `_history?_since=${encodeURIComponent(before)}`);
    expect(system.body.total).toBe(6);
    const bad = await call(server.base, 'GET', '_history?_since=yesterday');
    expect(bad.status).toBe(400);
  });

  it('answers _at with the version current at that time', async () => {
    const created = await call(server.base, 'POST', 'Patient', patient('王'));
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await call(server.base, 'PUT', `Patient/${created.body.id}`, { ...created.body, gender: 'female' });
    const at = await call(server.base, 'GET', `Patient/${created.body.id}/_history?_at=${encodeURIComponent(between)}`);
    expect(at.body.entry.map((e: { response: { etag: string } }) => e.response.etag)).toEqual(['W/"1"']);
  });

  it('searches by _id, identifier, _tag and _lastUpdated', async () => {
    const tag = { system: 'https://qiao.health/test', code: `crud-${backend}` };
    const a = await call(server.base, 'POST', 'Patient', { ...patient('赵'), meta: { tag: [tag] } });
    await call(server.base, 'POST', 'Patient', { ...patient('钱'), meta: { tag: [tag] } });
    const byTag = await call(server.base, 'GET', `Patient?_tag=${encodeURIComponent(`${tag.system}|${tag.code}`)}`);
    expect(byTag.body.total).toBe(2);
    const byId = await call(server.base, 'GET', `Patient?_id=${a.body.id}`);
    expect(byId.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([a.body.id]);
    const byIdentifier = await call(server.base, 'GET', `Patient?identifier=urn:oid:2.16.156.10011.1.3|11010519491231002X&_tag=${tag.code}`);
    expect(byIdentifier.body.total).toBe(2);
    const future = await call(server.base, 'GET', `Patient?_lastUpdated=gt2100-01-01`);
    expect(future.body.total).toBe(0);
    const unknown = await call(server.base, 'GET', 'Patient?shoe-size=42');
    expect(unknown.status).toBe(400);
    expect(firstIssue(unknown).diagnostics).toContain('shoe-size');
    const lenient = await call(server.base, 'GET', 'Patient?shoe-size=42&_count=1', undefined, { prefer: 'handling=lenient' });
    expect(lenient.status).toBe(200);
  });
});
