import { jest } from '@jest/globals';
import type { Resource } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.js';
import { handle } from '../../src/router/router.js';
import { bearer, userToken, useAuthServer } from '../support/auth.js';
import { call } from '../support/http.js';

jest.setTimeout(180000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * vread and instance history judge each version by its own content: an Observation recorded for
 * patient A and then moved to patient B shows A's token version 1 only, and B's token version 2
 * (and the deletion that removed it) only.
 */
describe('vread and instance history judged per version (PostgreSQL, auth on)', () => {
  const server = useAuthServer('postgres');
  const system = (method: 'GET' | 'PUT' | 'DELETE', path: string, body?: Resource) =>
    handle(server.ctx, { method, path, query: [], ...(body ? { body } : {}), prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
  const observation = (patient: string, value: number): Resource =>
    ({ resourceType: 'Observation', id: 'moved', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] }, subject: { reference: `Patient/${patient}` }, valueQuantity: { value, unit: 'mmol/L' } }) as Resource;
  const tokenFor = async (patient: string) => bearer((await userToken(server, { username: 'clinician', scopes: 'launch/patient patient/*.rs', patient })).body.access_token as string);
  const versions = (reply: { body: Json }) => (reply.body.entry ?? []).map((e: Json) => e.response.etag).sort();

  beforeAll(async () => {
    await system('PUT', 'Patient/pa', { resourceType: 'Patient', id: 'pa', name: [{ text: '甲' }] } as Resource);
    await system('PUT', 'Patient/pb', { resourceType: 'Patient', id: 'pb', name: [{ text: '乙' }] } as Resource);
    expect((await system('PUT', 'Observation/moved', observation('pa', 5.1))).status).toBe(201);
    expect((await system('PUT', 'Observation/moved', observation('pb', 6.2))).status).toBe(200);
  });

  it("A's token: not the current version, version 1 yes, version 2 no; history lists version 1 only", async () => {
    const a = await tokenFor('pa');
    expect((await call(server.base, 'GET', 'Observation/moved', undefined, a)).status).toBe(404);
    const v1 = await call(server.base, 'GET', 'Observation/moved/_history/1', undefined, a);
    expect(v1.status).toBe(200);
    expect(v1.body.subject.reference).toBe('Patient/pa');
    expect((await call(server.base, 'GET', 'Observation/moved/_history/2', undefined, a)).status).toBe(404);
    const history = await call(server.base, 'GET', 'Observation/moved/_history', undefined, a);
    expect(history.status).toBe(200);
    expect(versions(history)).toEqual(['W/"1"']);
    expect(history.body.total).toBeUndefined();
  });

  it("B's token: the current version and version 2, not version 1; after a delete, the deletion too", async () => {
    const b = await tokenFor('pb');
    expect((await call(server.base, 'GET', 'Observation/moved', undefined, b)).status).toBe(200);
    expect((await call(server.base, 'GET', 'Observation/moved/_history/1', undefined, b)).status).toBe(404);
    expect((await call(server.base, 'GET', 'Observation/moved/_history/2', undefined, b)).status).toBe(200);
    expect(versions(await call(server.base, 'GET', 'Observation/moved/_history', undefined, b))).toEqual(['W/"2"']);
    expect((await system('DELETE', 'Observation/moved')).status).toBeLessThan(300);
    expect(versions(await call(server.base, 'GET', 'Observation/moved/_history', undefined, b))).toEqual(['W/"2"', 'W/"3"']);
    // The stand-ins used for judging never stay behind.
    expect(await server.ctx.db.query("SELECT id FROM resource WHERE id LIKE '~version~%'")).toEqual([]);
  });

  it('a token that reaches neither patient gets 404 for the whole history, as for an absent resource', async () => {
    await system('PUT', 'Patient/pc', { resourceType: 'Patient', id: 'pc', name: [{ text: '丙' }] } as Resource);
    const c = await tokenFor('pc');
    expect((await call(server.base, 'GET', 'Observation/moved/_history', undefined, c)).status).toBe(404);
    expect((await call(server.base, 'GET', 'Observation/moved/_history/1', undefined, c)).status).toBe(404);
  });

  it('inside a batch and a transaction, per version too', async () => {
    const a = await tokenFor('pa');
    const batch = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Observation/moved/_history/1' } }, { request: { method: 'GET', url: 'Observation/moved/_history/2' } }] }, a);
    expect(batch.status).toBe(200);
    expect(batch.body.entry.map((e: Json) => e.response.status.slice(0, 3))).toEqual(['200', '404']);
    // A transaction's reads run in its database transaction: the judging rolls back to a savepoint.
    const tx = (url: string) => call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'GET', url } }] }, a);
    const status = async (url: string) => (await tx(url)).body.entry[0].response.status.slice(0, 3);
    expect(await status('Observation/moved/_history/1')).toBe('200');
    expect(await status('Observation/moved/_history/2')).toBe('404');
  });
});
