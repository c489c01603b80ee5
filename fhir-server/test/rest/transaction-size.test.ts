import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call } from '../support/http.js';

/** A transaction with many conditional creates (a large CDA document maps to one). */
describe.each(BACKENDS)('a transaction of 800 conditional creates on %s', (backend) => {
  const server = useTestServer(backend);
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: Array.from({ length: 800 }, (_, k) => ({
      resource: { resourceType: 'Observation', identifier: [{ system: 'urn:qiao:test:tx-size', value: `v${k}` }], status: 'final', code: { text: `item ${k}` } },
      request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=urn:qiao:test:tx-size|v${k}` },
    })),
  };

  it('creates them all, and sent again finds each one instead of creating it', async () => {
    const first = await call(server.base, 'POST', '', bundle);
    expect(first.status).toBe(200);
    expect(new Set(first.body.entry.map((e: { response: { status: string } }) => e.response.status))).toEqual(new Set(['201 Created']));
    const again = await call(server.base, 'POST', '', bundle);
    expect(again.status).toBe(200);
    expect(new Set(again.body.entry.map((e: { response: { status: string } }) => e.response.status))).toEqual(new Set(['200 OK']));
    const count = await call(server.base, 'GET', 'Observation?identifier=urn:qiao:test:tx-size|&_summary=count');
    expect(count.body.total).toBe(800);
  });
});
