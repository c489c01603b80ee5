import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call } from '../support/http.js';

const LOCAL = 'https://hospital.example.cn/fhir/CodeSystem/ward-tests';
const LOINC = 'http://loinc.org';
const RETURN_OUTCOME = { prefer: 'return=OperationOutcome' };

function observation(code: string, id?: string): Record<string, unknown> {
  return { resourceType: 'Observation', ...(id ? { id } : {}), status: 'final', code: { coding: [{ system: LOCAL, code }] }, valueQuantity: { value: 5.1, unit: 'mmol/L' } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function unmappedWarnings(outcome: any): any[] {
  return (outcome?.issue ?? []).filter((i: { details?: { coding?: { code?: string }[] } }) => i.details?.coding?.[0]?.code === 'TX-UNMAPPED-LOCAL-CODE');
}

describe.each(BACKENDS)('unmapped local codes are flagged in the write response on %s', (backend) => {
  const server = useTestServer(backend);

  beforeAll(async () => {
    const table = { resourceType: 'CodeSystem', url: LOCAL, version: '1', status: 'active', content: 'complete', concept: [{ code: 'GLU', display: '空腹血糖' }, { code: 'ZZ9', display: '某特殊检验' }] };
    expect((await call(server.base, 'POST', 'CodeSystem', table)).status).toBe(201);
    const map = {
      resourceType: 'ConceptMap', url: 'https://hospital.example.cn/fhir/ConceptMap/ward-tests', status: 'active',
      group: [{ source: LOCAL, target: LOINC, element: [{ code: 'GLU', target: [{ code: '14749-6', equivalence: 'equivalent' }] }] }],
    };
    expect((await call(server.base, 'POST', 'ConceptMap', map)).status).toBe(201);
  });

  it('create: the resource as stored by default, and the bilingual warning under Prefer: return=OperationOutcome', async () => {
    const plain = await call(server.base, 'POST', 'Observation', observation('ZZ9'));
    expect(plain.status).toBe(201);
    expect(plain.body.resourceType).toBe('Observation');
    expect(plain.body.meta.tag).toEqual([expect.objectContaining({ code: 'unmapped-local-code' })]);

    const flagged = await call(server.base, 'POST', 'Observation', observation('ZZ9'), RETURN_OUTCOME);
    expect(flagged.status).toBe(201);
    expect(flagged.headers.get('location')).toMatch(/Observation\/[^/]+\/_history\/1$/);
    expect(flagged.body.resourceType).toBe('OperationOutcome');
    expect(flagged.body.issue[0].severity).toBe('information');
    const [warning, ...more] = unmappedWarnings(flagged.body);
    expect(more).toEqual([]);
    expect(warning.severity).toBe('warning');
    expect(warning.expression).toEqual(['Observation.code.coding[0]']);
    expect(warning.details.text).toContain(`本地代码 ${LOCAL}|ZZ9 尚无到标准代码（${LOINC}）的映射`);
    expect(warning.details.text).toContain('has no mapping to the standard');

    const mapped = await call(server.base, 'POST', 'Observation', observation('GLU'), RETURN_OUTCOME);
    expect(mapped.status).toBe(201);
    expect(unmappedWarnings(mapped.body)).toEqual([]);
  });

  it('update and patch carry the warning too, with their own status', async () => {
    const created = await call(server.base, 'POST', 'Observation', observation('GLU'));
    const id = created.body.id as string;
    const updated = await call(server.base, 'PUT', `Observation/${id}`, observation('ZZ9', id), RETURN_OUTCOME);
    expect(updated.status).toBe(200);
    expect(unmappedWarnings(updated.body)).toHaveLength(1);

    const patched = await call(server.base, 'PATCH', `Observation/${id}`, [{ op: 'replace', path: '/status', value: 'amended' }], { ...RETURN_OUTCOME, 'content-type': 'application/json-patch+json' });
    expect(patched.status).toBe(200);
    expect(unmappedWarnings(patched.body)[0].expression).toEqual(['Observation.code.coding[0]']);
  });

  it.each(['transaction', 'batch'] as const)('a %s puts the warning in entry.response.outcome of that entry only', async (type) => {
    const target = (await call(server.base, 'POST', 'Observation', observation('GLU'))).body.id as string;
    const reply = await call(server.base, 'POST', '', {
      resourceType: 'Bundle', type,
      entry: [
        { fullUrl: 'urn:uuid:5d0c3b1e-3c1a-4f7e-9d0b-6a1f2e3d4c01', resource: observation('ZZ9'), request: { method: 'POST', url: 'Observation' } },
        { fullUrl: 'urn:uuid:5d0c3b1e-3c1a-4f7e-9d0b-6a1f2e3d4c02', resource: observation('GLU'), request: { method: 'POST', url: 'Observation' } },
        { resource: observation('ZZ9', target), request: { method: 'PUT', url: `Observation/${target}` } },
      ],
    });
    expect(reply.status).toBe(200);
    const [first, second, third] = reply.body.entry;
    expect(first.response.status).toBe('201 Created');
    expect(first.resource.resourceType).toBe('Observation');
    expect(first.response.outcome.resourceType).toBe('OperationOutcome');
    expect(unmappedWarnings(first.response.outcome)).toEqual([
      expect.objectContaining({ severity: 'warning', expression: ['Observation.code.coding[0]'] }),
    ]);
    expect(second.response.status).toBe('201 Created');
    expect(second.response.outcome).toBeUndefined();
    expect(second.resource.code.coding[1]).toEqual(expect.objectContaining({ system: LOINC, code: '14749-6' }));
    expect(third.response.status).toBe('200 OK');
    expect(unmappedWarnings(third.response.outcome)).toHaveLength(1);
  });
});
