import pg from 'pg';
import { useTestServer } from '../support/test-server.js';
import { call } from '../support/http.js';

describe('$reindex on the running server', () => {
  const server = useTestServer('postgres');

  it('rebuilds a lost search index from the stored resources', async () => {
    const identifier = 'urn:oid:2.16.156.10011.1.3|110101199003070019';
    for (let i = 0; i < 3; i++) {
      await call(server.base, 'POST', 'Patient', {
        resourceType: 'Patient',
        identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: `11010119900307001${i === 0 ? '9' : String(i)}` }],
      });
    }
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    await client.query('DELETE FROM search_token');
    await client.end();
    expect((await call(server.base, 'GET', `Patient?identifier=${identifier}`)).body.total).toBe(0);

    expect((await call(server.base, 'GET', 'Patient/$reindex')).status).toBe(405);
    const result = await call(server.base, 'POST', 'Patient/$reindex');
    expect(result.status).toBe(200);
    expect(result.body.parameter[0]).toEqual({ name: 'resources', valueInteger: 3 });
    expect((await call(server.base, 'GET', `Patient?identifier=${identifier}`)).body.total).toBe(1);

    const metadata = await call(server.base, 'GET', 'metadata');
    expect(metadata.body.rest[0].operation.map((o: { name: string }) => o.name)).toContain('reindex');
    expect((await call(server.base, 'POST', '$nonsense')).status).toBe(400);
  });

  it('activates a SearchParameter stored by a client and indexes resources written before it', async () => {
    const ethnicity = 'https://qiao.health/fhir/StructureDefinition/test-ethnicity';
    await call(server.base, 'POST', 'Patient', {
      resourceType: 'Patient',
      extension: [{ url: ethnicity, valueCoding: { system: 'urn:oid:2.16.156.10011.2.3.3.3', code: '08', display: '壮族' } }],
    });
    expect((await call(server.base, 'GET', 'Patient?test-ethnicity=08')).status).toBe(400);

    const parameter = await call(server.base, 'POST', 'SearchParameter', {
      resourceType: 'SearchParameter',
      url: 'https://qiao.health/fhir/SearchParameter/test-ethnicity',
      name: 'TestEthnicity',
      status: 'active',
      description: '民族 | Ethnicity (GB/T 3304)',
      code: 'test-ethnicity',
      base: ['Patient'],
      type: 'token',
      expression: `Patient.extension('${ethnicity}').value`,
    });
    expect(parameter.status).toBe(201);
    expect((await call(server.base, 'POST', '$reindex')).status).toBe(200);

    const found = await call(server.base, 'GET', 'Patient?test-ethnicity=urn:oid:2.16.156.10011.2.3.3.3|08');
    expect(found.status).toBe(200);
    expect(found.body.total).toBe(1);
    const metadata = await call(server.base, 'GET', 'metadata');
    const patient = metadata.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.searchParam.map((p: { name: string }) => p.name)).toContain('test-ethnicity');
  });
});
