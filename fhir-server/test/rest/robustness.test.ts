import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';

describe.each(BACKENDS)('bad input on %s', (backend) => {
  const server = useTestServer(backend, { maxBodyBytes: 64 * 1024 });

  it.each([
    ['malformed JSON', 'POST', 'Patient', '{"resourceType": "Patient",', 'application/fhir+json', 400, 'structure'],
    ['a JSON array', 'POST', 'Patient', '[1,2]', 'application/fhir+json', 400, 'structure'],
    ['a wrong resourceType', 'POST', 'Patient', '{"resourceType":"Observation"}', 'application/fhir+json', 400, 'invalid'],
    ['an unknown resourceType in the URL', 'POST', 'Pateint', '{"resourceType":"Pateint"}', 'application/fhir+json', 404, 'not-supported'],
    ['an unknown element', 'POST', 'Patient', '{"resourceType":"Patient","shoeSize":42}', 'application/fhir+json', 400, undefined],
    ['a wrong JSON type', 'POST', 'Patient', '{"resourceType":"Patient","active":"yes"}', 'application/fhir+json', 400, undefined],
    ['an unsupported media type', 'POST', 'Patient', 'name=x', 'text/csv', 415, 'not-supported'],
    ['malformed XML', 'POST', 'Patient', '<Patient xmlns="http://hl7.org/fhir"><active value="true"></Patient>', 'application/fhir+xml', 400, 'structure'],
    [
      'XML with entities',
      'POST',
      'Patient',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Patient xmlns="http://hl7.org/fhir"><id value="&lol2;"/></Patient>',
      'application/fhir+xml',
      400,
      'security',
    ],
    ['an invalid id', 'GET', 'Patient/has%20space', undefined, undefined, 400, 'value'],
    ['a path trick', 'GET', 'Patient/..%2F..%2Fetc%2Fpasswd', undefined, undefined, 404, undefined],
  ])('answers %s with a 4xx OperationOutcome', async (_name, method, path, body, type, status, code) => {
    const r = await call(server.base, method, path, body, type ? { 'content-type': type } : {});
    expect(r.status).toBe(status);
    const issue = firstIssue(r);
    if (code) expect(issue.code).toBe(code);
    expect(issue.details.text).toMatch(/[\u4e00-\u9fff].* \| .*[A-Za-z]/);
  });

  it('points at the element that is wrong', async () => {
    const r = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'x' }], birthDate: '1990-13-01' });
    expect(r.status).toBe(400);
    expect(firstIssue(r).expression).toEqual(['Patient.birthDate']);
  });

  it('refuses an oversized body with 413', async () => {
    const big = { resourceType: 'Patient', name: [{ text: 'x'.repeat(100 * 1024) }] };
    const r = await call(server.base, 'POST', 'Patient', big);
    expect(r.status).toBe(413);
    expect(firstIssue(r).code).toBe('too-long');
  });

  it('keeps SQL in parameters as data', async () => {
    await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '安全' }] });
    const injection = encodeURIComponent("x' OR '1'='1'; DROP TABLE resource; --");
    const r = await call(server.base, 'GET', `Patient?identifier=${injection}&_id=${injection}`);
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(0);
    const still = await call(server.base, 'GET', 'Patient');
    expect(still.body.total).toBeGreaterThan(0);
    const badCount = await call(server.base, 'GET', `Patient?_count=${injection}`);
    expect(badCount.status).toBe(400);
    expect(firstIssue(badCount).diagnostics).toContain('_count');
  });

  it('lets exactly one of two concurrent updates with the same If-Match win', async () => {
    const created = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '并发' }] });
    const id = created.body.id;
    const results = await Promise.all(
      ['male', 'female', 'other', 'unknown'].map((gender) =>
        call(server.base, 'PUT', `Patient/${id}`, { ...created.body, gender }, { 'if-match': 'W/"1"' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412]);
    const history = await call(server.base, 'GET', `Patient/${id}/_history`);
    expect(history.body.total).toBe(2);
  });

  it('lets concurrent conditional creates make exactly one resource', async () => {
    const identifier = `urn:oid:2.16.156.10011.1.3|race-${backend}`;
    const body = { resourceType: 'Patient', identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: `race-${backend}` }] };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => call(server.base, 'POST', 'Patient', body, { 'if-none-exist': `identifier=${identifier}` })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    const found = await call(server.base, 'GET', `Patient?identifier=${encodeURIComponent(identifier)}`);
    expect(found.body.total).toBe(1);
  });

  it('answers unknown endpoints and methods with OperationOutcomes', async () => {
    expect((await call(server.base, 'DELETE', 'metadata')).status).toBe(405);
    expect((await call(server.base, 'GET', 'Patient/x/y/z/w')).status).toBe(404);
    const outside = await fetch(`${server.url}/nowhere`);
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });
});
