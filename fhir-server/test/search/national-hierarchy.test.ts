import { call } from '../support/http.js';
import { useTestServer } from '../support/test-server.js';

/**
 * `:below` / `:above` over the national tables that the terminology workspace ships with a
 * hierarchy (GB/T 4761 family relations: 20 子 above 21 独生子 and 22 长子), not only over the R4
 * base code systems.
 */
const GBT_4761 = 'urn:oid:2.16.156.10011.2.3.3.8';

describe('code hierarchy of shipped national code systems in search', () => {
  const server = useTestServer('pglite');

  beforeAll(async () => {
    const person = (id: string, code: string) => ({
      resourceType: 'RelatedPerson',
      id,
      patient: { reference: 'Patient/p1' },
      relationship: [{ coding: [{ system: GBT_4761, code }] }],
    });
    const entry = [
      { resourceType: 'Patient', id: 'p1' },
      person('son', '20'),
      person('only-son', '21'),
      person('eldest-son', '22'),
      person('spouse', '10'),
    ].map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }));
    const reply = await call(server.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
    expect(reply.status).toBe(200);
  });

  const ids = async (query: string): Promise<string[]> => {
    const reply = await call(server.base, 'GET', query);
    expect(reply.status).toBe(200);
    return (reply.body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
  };

  it('finds a code and its descendants with :below', async () => {
    expect(await ids(`RelatedPerson?relationship:below=${GBT_4761}|20`)).toEqual(['eldest-son', 'only-son', 'son']);
  });

  it('finds a code and its ancestors with :above', async () => {
    expect(await ids(`RelatedPerson?relationship:above=${GBT_4761}|21`)).toEqual(['only-son', 'son']);
  });

  it('refuses a code the national table does not hold', async () => {
    const reply = await call(server.base, 'GET', `RelatedPerson?relationship:below=${GBT_4761}|2X`);
    expect(reply.status).toBe(400);
  });
});
