import { jest } from '@jest/globals';
import { loadPackage } from '@qiao/profiles';
import { call, firstIssue } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

// Starting a server on a fresh PGlite database (and storing the package) takes longer than jest's default when run from the root.
jest.setTimeout(120_000);

const patient = () => structuredClone(loadPackage().examples.find((e) => e.file === 'valid/Patient-minimal.json')?.resource) as Record<string, unknown>;

describe.each(BACKENDS)('QIAO_REQUIRE_PROFILES=Patient (%s)', (backend) => {
  const server = useTestServer(backend, { requireProfiles: ['Patient'] });

  it('refuses a Patient that declares no CN profile, and says which to use', async () => {
    const reply = await call(server.base, 'POST', 'Patient', { ...patient(), meta: undefined });
    expect(reply.status).toBe(400);
    const issue = firstIssue(reply);
    expect(issue.details.coding[0].code).toBe('cn-profile-required');
    expect(issue.expression).toEqual(['Patient.meta.profile']);
    expect(issue.details.text).toContain('https://qiao.health/fhir/StructureDefinition/cn-patient');
  });

  it('accepts a Patient that declares and satisfies cn-patient, also inside a transaction', async () => {
    expect((await call(server.base, 'POST', 'Patient', patient())).status).toBe(201);
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: 'urn:uuid:6f1c7a52-3f0e-4b7e-9a38-1d2b3c4d5e6f', resource: { ...patient(), meta: undefined }, request: { method: 'POST', url: 'Patient' } }] };
    const refused = await call(server.base, 'POST', '', bundle);
    expect(refused.status).toBe(400);
  });

  it('leaves other types alone', async () => {
    const observation = { resourceType: 'Observation', status: 'final', code: { text: '体温' } };
    expect((await call(server.base, 'POST', 'Observation', observation)).status).toBe(201);
  });
});
