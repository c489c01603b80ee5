import { Client } from 'fhir-kit-client';

import { BACKENDS, useTestServer } from '../support/test-server.js';

// A real third-party FHIR client, as an EMR integration would use it.
describe.each(BACKENDS)('fhir-kit-client against %s', (backend) => {
  const server = useTestServer(backend);
  let client: Client;
  beforeAll(() => {
    client = new Client({ baseUrl: server.base });
  });

  it('runs the common interactions end to end', async () => {
    const capability = (await client.capabilityStatement()) as unknown as { fhirVersion: string };
    expect(capability.fhirVersion).toBe('4.0.1');

    const created = (await client.create({
      resourceType: 'Patient',
      body: {
        resourceType: 'Patient',
        identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: `fkc-${backend}` }],
        name: [{ text: '陈静', family: '陈', given: ['静'] }],
        gender: 'female',
      },
    })) as unknown as { id: string; meta: { versionId: string } };
    expect(created.meta.versionId).toBe('1');

    const read = (await client.read({ resourceType: 'Patient', id: created.id })) as unknown as { resourceType: 'Patient'; name: { text: string }[] };
    expect(read.name[0]?.text).toBe('陈静');

    const updated = (await client.update({ resourceType: 'Patient', id: created.id, body: { ...read, birthDate: '1985-06-01' } })) as unknown as {
      meta: { versionId: string };
    };
    expect(updated.meta.versionId).toBe('2');

    const patched = (await client.patch({
      resourceType: 'Patient',
      id: created.id,
      jsonPatch: [{ op: 'replace', path: '/birthDate', value: '1985-06-02' }],
    })) as unknown as { birthDate: string; meta: { versionId: string } };
    expect(patched.birthDate).toBe('1985-06-02');
    expect(patched.meta.versionId).toBe('3');

    const v1 = (await client.vread({ resourceType: 'Patient', id: created.id, version: '1' })) as unknown as { birthDate?: string };
    expect(v1.birthDate).toBeUndefined();

    const found = (await client.search({
      resourceType: 'Patient',
      searchParams: { identifier: `urn:oid:2.16.156.10011.1.3|fkc-${backend}` },
    })) as unknown as { total: number; entry: { resource: { id: string } }[] };
    expect(found.total).toBe(1);
    expect(found.entry[0]?.resource.id).toBe(created.id);

    const history = (await client.history({ resourceType: 'Patient', id: created.id })) as unknown as { total: number };
    expect(history.total).toBe(3);

    const tx = (await client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:5b1f2c9a-1111-4111-8111-111111111111',
            resource: { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: `Patient/${created.id}` } },
            request: { method: 'POST', url: 'Encounter' },
          },
          {
            resource: {
              resourceType: 'Condition',
              subject: { reference: `Patient/${created.id}` },
              encounter: { reference: 'urn:uuid:5b1f2c9a-1111-4111-8111-111111111111' },
              code: { coding: [{ system: 'urn:oid:2.16.156.10011.2.3.3.11', code: 'I10.x00', display: '高血压' }] },
            },
            request: { method: 'POST', url: 'Condition' },
          },
        ],
      },
    })) as unknown as { entry: { response: { status: string; location: string } }[] };
    expect(tx.entry.map((e) => e.response.status)).toEqual(['201 Created', '201 Created']);

    await client.delete({ resourceType: 'Patient', id: created.id });
    await expect(client.read({ resourceType: 'Patient', id: created.id })).rejects.toMatchObject({ response: { status: 410 } });
  });
});
