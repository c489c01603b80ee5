import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';

const patientXml = `<?xml version="1.0" encoding="UTF-8"?>
<Patient xmlns="http://hl7.org/fhir">
  <identifier><system value="urn:oid:2.16.156.10011.1.3"/><value value="110105194912310029"/></identifier>
  <name><text value="刘洋"/><family value="刘"/><given value="洋"/></name>
  <gender value="female"/>
  <birthDate value="1949-12-31"/>
</Patient>`;

describe.each(BACKENDS)('formats, PATCH and Prefer on %s', (backend) => {
  const server = useTestServer(backend);

  it('accepts XML and answers in XML or JSON, losslessly', async () => {
    const created = await call(server.base, 'POST', 'Patient', patientXml, { 'content-type': 'application/fhir+xml' });
    expect(created.status).toBe(201);
    expect(created.body.name[0].text).toBe('刘洋');
    const id = created.body.id;
    const xml = await call(server.base, 'GET', `Patient/${id}?_format=xml`);
    expect(xml.headers.get('content-type')).toBe('application/fhir+xml; charset=utf-8');
    expect(xml.text).toContain('<family value="刘"/>');
    expect(xml.text).toContain(`<versionId value="1"/>`);
    const byAccept = await call(server.base, 'GET', `Patient/${id}`, undefined, { accept: 'application/fhir+xml' });
    expect(byAccept.text).toBe(xml.text);
    // XML back in as an update, then JSON out: the same resource.
    const put = await call(server.base, 'PUT', `Patient/${id}`, xml.text, { 'content-type': 'application/fhir+xml' });
    expect(put.status).toBe(200);
    const { meta: _m1, ...before } = created.body;
    const { meta: _m2, ...after } = put.body;
    expect(after).toEqual(before);
    const notAcceptable = await call(server.base, 'GET', `Patient/${id}`, undefined, { accept: 'image/png' });
    expect(notAcceptable.status).toBe(406);
    const errorsInXml = await call(server.base, 'GET', 'Patient/nope?_format=xml');
    expect(errorsInXml.status).toBe(404);
    expect(errorsInXml.text).toContain('<OperationOutcome xmlns="http://hl7.org/fhir">');
  });

  it('patches with JSON Patch and FHIRPath Patch, validating the result', async () => {
    const created = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '黄' }], gender: 'male' });
    const id = created.body.id;
    const json = await call(server.base, 'PATCH', `Patient/${id}`, [{ op: 'add', path: '/birthDate', value: '1970-01-01' }], {
      'content-type': 'application/json-patch+json',
      'if-match': 'W/"1"',
    });
    expect(json.status).toBe(200);
    expect(json.body.birthDate).toBe('1970-01-01');
    const fhirpath = await call(
      server.base,
      'PATCH',
      `Patient/${id}`,
      {
        resourceType: 'Parameters',
        parameter: [
          {
            name: 'operation',
            part: [
              { name: 'type', valueCode: 'replace' },
              { name: 'path', valueString: 'Patient.gender' },
              { name: 'value', valueCode: 'female' },
            ],
          },
        ],
      },
      { 'content-type': 'application/fhir+json' },
    );
    expect(fhirpath.status).toBe(200);
    expect(fhirpath.body.gender).toBe('female');
    expect(fhirpath.body.meta.versionId).toBe('3');
    const invalid = await call(server.base, 'PATCH', `Patient/${id}`, [{ op: 'replace', path: '/gender', value: 'mle' }], {
      'content-type': 'application/json-patch+json',
    });
    expect(invalid.status).toBe(400);
    expect(firstIssue(invalid).expression).toEqual(['Patient.gender']);
    const stale = await call(server.base, 'PATCH', `Patient/${id}`, [{ op: 'remove', path: '/birthDate' }], {
      'content-type': 'application/json-patch+json',
      'if-match': 'W/"1"',
    });
    expect(stale.status).toBe(412);
  });

  it('honours Prefer: return and HEAD', async () => {
    const minimal = await call(server.base, 'POST', 'Organization', { resourceType: 'Organization', name: '卫生院' }, { prefer: 'return=minimal' });
    expect(minimal.status).toBe(201);
    expect(minimal.text).toBe('');
    expect(minimal.headers.get('location')).toMatch(/\/fhir\/Organization\/[0-9a-f-]+\/_history\/1$/);
    const outcome = await call(server.base, 'POST', 'Organization', { resourceType: 'Organization', name: '卫生院' }, { prefer: 'return=OperationOutcome' });
    expect(outcome.body.resourceType).toBe('OperationOutcome');
    const head = await fetch(minimal.headers.get('location') as string, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe('W/"1"');
    expect(await head.text()).toBe('');
  });

  it('conditionally updates and deletes', async () => {
    const identifier = `urn:oid:2.16.156.10011.1.19|card-${backend}`;
    const body = { resourceType: 'Patient', identifier: [{ system: 'urn:oid:2.16.156.10011.1.19', value: `card-${backend}` }], active: true };
    const first = await call(server.base, 'PUT', `Patient?identifier=${encodeURIComponent(identifier)}`, body);
    expect(first.status).toBe(201);
    const second = await call(server.base, 'PUT', `Patient?identifier=${encodeURIComponent(identifier)}`, { ...body, active: false });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.meta.versionId).toBe('2');
    await call(server.base, 'POST', 'Patient', body);
    const ambiguous = await call(server.base, 'PUT', `Patient?identifier=${encodeURIComponent(identifier)}`, body);
    expect(ambiguous.status).toBe(412);
    expect(firstIssue(ambiguous).code).toBe('multiple-matches');
    const ambiguousDelete = await call(server.base, 'DELETE', `Patient?identifier=${encodeURIComponent(identifier)}`);
    expect(ambiguousDelete.status).toBe(412);
    await call(server.base, 'DELETE', `Patient/${first.body.id}`);
    const single = await call(server.base, 'DELETE', `Patient?identifier=${encodeURIComponent(identifier)}`);
    expect(single.status).toBe(200);
    const none = await call(server.base, 'GET', `Patient?identifier=${encodeURIComponent(identifier)}`);
    expect(none.body.total).toBe(0);
  });
});
