import type { Bundle, Resource } from '@medplum/fhirtypes';
import { DEVELOPMENT_PRINCIPAL, type Principal } from '../../src/auth/principal.js';
import { handle } from '../../src/router/router.js';
import type { Context, FhirRequest } from '../../src/router/types.js';
import { recordingStatements } from '../support/statements.js';
import { useTestServer } from '../support/test-server.js';

describe('what access control costs (PostgreSQL)', () => {
  const server = useTestServer('postgres');
  let patient = '';
  let observation = '';

  beforeAll(async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:p', resource: { resourceType: 'Patient', name: [{ text: '王五' }] } as Resource, request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:o', resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:p' } } as Resource, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const reply = await handle(server.ctx, { method: 'POST', path: '', query: [], body: bundle, prefer: {}, baseUrl: server.base, principal: DEVELOPMENT_PRINCIPAL });
    const out = reply.body as unknown as Bundle;
    patient = (out.entry?.[0]?.response?.location ?? '').split('/')[1] as string;
    observation = (out.entry?.[1]?.response?.location ?? '').split('/')[1] as string;
  });

  const statements = async (principal: Principal, path: string, query: [string, string][] = []): Promise<string[]> => {
    const log: string[] = [];
    const ctx: Context = { ...server.ctx, db: recordingStatements(server.ctx.db, log) };
    const req: FhirRequest = { method: 'GET', path, query, prefer: {}, baseUrl: server.base, principal };
    expect((await handle(ctx, req)).status).toBe(200);
    return log.filter((sql) => !/audit/i.test(sql));
  };
  const patientScoped = (): Principal => ({ kind: 'user', roles: ['clinician'], scopes: ['patient/*.rs'], patient });

  it('adds no statement and no condition for an unrestricted principal', async () => {
    const read = await statements(DEVELOPMENT_PRINCIPAL, `Observation/${observation}`);
    expect(read).toHaveLength(1);
    const search = await statements(DEVELOPMENT_PRINCIPAL, 'Observation', [['_total', 'accurate']]);
    expect(search.some((sql) => sql.includes('search_reference'))).toBe(false);
  });

  it('adds one compartment condition to a patient-scoped search, and one statement to a read', async () => {
    // A filter on both: a search with none at all is paged and counted in two statements (execute.ts).
    const query: [string, string][] = [['status', 'final'], ['_total', 'accurate']];
    const open = await statements(DEVELOPMENT_PRINCIPAL, 'Observation', query);
    const scoped = await statements(patientScoped(), 'Observation', query);
    expect(scoped).toHaveLength(open.length);
    for (const sql of scoped) expect(sql.match(/target_type = \$\d+ AND x\d+\.target_id = \$\d+/g)).toHaveLength(1);
    const read = await statements(patientScoped(), `Observation/${observation}`);
    expect(read).toHaveLength(2);
  });
});
