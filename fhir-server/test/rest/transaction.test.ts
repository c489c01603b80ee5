import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';

describe.each(BACKENDS)('batch and transaction on %s', (backend) => {
  const server = useTestServer(backend);

  const orgId = `org-${backend}`;
  const tagged = (code: string) => ({ tag: [{ system: 'https://qiao.health/test', code }] });

  it('resolves urn:uuid fullUrls and conditional references, in one database transaction', async () => {
    await call(server.base, 'PUT', `Organization/${orgId}`, {
      resourceType: 'Organization',
      id: orgId,
      identifier: [{ system: 'urn:oid:2.16.156.10011.1.5', value: `ORG-${backend}` }],
      name: '桥县人民医院',
    });
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:8c7a1f0e-0000-4000-8000-000000000002',
          resource: {
            resourceType: 'Observation',
            meta: tagged('tx1'),
            status: 'final',
            code: { coding: [{ system: 'http://loinc.org', code: '718-7' }], text: '血红蛋白' },
            subject: { reference: 'urn:uuid:8c7a1f0e-0000-4000-8000-000000000001' },
            valueQuantity: { value: 132, unit: 'g/L', system: 'http://unitsofmeasure.org', code: 'g/L' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: 'urn:uuid:8c7a1f0e-0000-4000-8000-000000000001',
          resource: {
            resourceType: 'Patient',
            meta: tagged('tx1'),
            name: [{ text: '孙丽' }],
            managingOrganization: { reference: `Organization?identifier=urn:oid:2.16.156.10011.1.5|ORG-${backend}` },
          },
          request: { method: 'POST', url: 'Patient' },
        },
      ],
    };
    const r = await call(server.base, 'POST', '', bundle);
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('transaction-response');
    const [obs, pat] = r.body.entry;
    expect(obs.response.status).toBe('201 Created');
    expect(obs.response.location).toMatch(/^Observation\/[0-9a-f-]{36}\/_history\/1$/);
    expect(pat.response.location).toMatch(/^Patient\/[0-9a-f-]{36}\/_history\/1$/);
    const patientId = pat.response.location.split('/')[1];
    const storedObs = await call(server.base, 'GET', obs.response.location.split('/_history')[0]);
    expect(storedObs.body.subject.reference).toBe(`Patient/${patientId}`);
    const storedPat = await call(server.base, 'GET', `Patient/${patientId}`);
    expect(storedPat.body.managingOrganization.reference).toBe(`Organization/${orgId}`);
  });

  it('stores nothing when any entry fails, and says which entry', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', meta: tagged('tx-fail'), name: [{ text: '周' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', meta: tagged('tx-fail'), gender: 'mle' }, request: { method: 'POST', url: 'Patient' } },
      ],
    };
    const r = await call(server.base, 'POST', '', bundle);
    expect(r.status).toBe(400);
    expect(firstIssue(r).expression?.[0]).toBe('Bundle.entry[1].resource.gender');
    const found = await call(server.base, 'GET', 'Patient?_tag=tx-fail');
    expect(found.body.total).toBe(0);

    const unresolved = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient?identifier=nobody|0' } },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    expect(unresolved.status).toBe(400);
    expect(firstIssue(unresolved).expression?.[0]).toBe('Bundle.entry[0]');
  });

  it('applies the spec order, conditional create, update, delete and read in one transaction', async () => {
    const first = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', meta: tagged('order'), name: [{ text: '吴' }] });
    const ifNoneExist = `identifier=urn:oid:2.16.156.10011.1.3|320102199001011234`;
    const r = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'GET', url: `Patient/${first.body.id}` } },
        {
          resource: { resourceType: 'Patient', identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '320102199001011234' }] },
          request: { method: 'POST', url: 'Patient', ifNoneExist },
        },
        { resource: { resourceType: 'Patient', id: `tx-put-${backend}`, name: [{ text: '郑' }] }, request: { method: 'PUT', url: `Patient/tx-put-${backend}` } },
        { request: { method: 'DELETE', url: `Patient/${first.body.id}` } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.entry[3].response.status).toBe('200 OK');
    expect(r.body.entry[1].response.status).toBe('201 Created');
    expect(r.body.entry[2].response.status).toBe('201 Created');
    // The delete ran before the read: the read entry reports the deletion.
    expect(r.body.entry[0].response.status).toBe('410 Gone');

    const again = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Patient', identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '320102199001011234' }] },
          request: { method: 'POST', url: 'Patient', ifNoneExist },
        },
      ],
    });
    expect(again.body.entry[0].response.status).toBe('200 OK');
    expect(again.body.entry[0].response.location).toBe(r.body.entry[1].response.location);
  });

  it('patches inside a transaction with a JSON Patch carried as Binary', async () => {
    const created = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '何' }] });
    const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/gender', value: 'female' }])).toString('base64');
    const r = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patch }, request: { method: 'PATCH', url: `Patient/${created.body.id}` } }],
    });
    expect(r.status).toBe(200);
    expect(r.body.entry[0].response.status).toBe('200 OK');
    expect(r.body.entry[0].resource.gender).toBe('female');
    expect(r.body.entry[0].response.etag).toBe('W/"2"');
  });

  it('processes batch entries independently', async () => {
    const r = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ text: '冯' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('batch-response');
    expect(r.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['201 Created', '400 Bad Request', '404 Not Found']);
    expect(r.body.entry[1].response.outcome.issue[0].expression).toEqual(['Patient.birthDate']);
  });

  it('refuses bundles of other types and duplicate fullUrls', async () => {
    const collection = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'collection' });
    expect(collection.status).toBe(400);
    expect(firstIssue(collection).expression).toEqual(['Bundle.type']);
    const dup = await call(server.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:00000000-0000-4000-8000-00000000000a', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:00000000-0000-4000-8000-00000000000a', resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
      ],
    });
    expect(dup.status).toBe(400);
    expect(firstIssue(dup).expression).toEqual(['Bundle.entry[1]']);
  });
});
