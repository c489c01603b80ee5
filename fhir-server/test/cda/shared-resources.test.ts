import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call } from '../support/http.js';
import { residentId } from '../../../cda-adapters/test/fixtures/documents.js';

// Servers start slowly on a loaded two-core machine; the root jest run does not apply the project's testTimeout.
jest.setTimeout(120000);

const CDA = { 'content-type': 'application/hl7-cda+xml' };
const lab = readFileSync(new URL('../../../cda-adapters/test/fixtures/C0007-lab-report.xml', import.meta.url), 'utf8');
// The same hospital and doctors, another document of another patient.
const second = lab.replace('extension="LAB-2024-000123"', 'extension="LAB-2024-000124"').replace('extension="440106199203150022"', `extension="${residentId('11010519800101001')}"`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SHARED = ['Organization', 'Practitioner', 'PractitionerRole'];
const locationsOf = (reply: Json, type: string) => reply.body.entry.map((e: Json) => e.response.location as string).filter((l: string) => l.startsWith(`${type}/`));

describe.each(BACKENDS)('$cda-import of a second document from the same hospital on %s', (backend) => {
  const server = useTestServer(backend);

  it('points at the stored custodian and doctors and answers for them as the transaction would', async () => {
    const first = await call(server.base, 'POST', '$cda-import', Buffer.from(lab), CDA);
    expect(first.status).toBe(200);
    const counts = async () => Promise.all(SHARED.map(async (t) => (await call(server.base, 'GET', `${t}?_summary=count`)).body.total as number));
    const before = await counts();

    const reply = await call(server.base, 'POST', '$cda-import', Buffer.from(second), CDA);
    expect(reply.status).toBe(200);
    // One answer per resource of the document, in the same places as for the first import.
    expect(reply.body.entry.map((e: Json) => e.response.location.split('/')[0])).toEqual(first.body.entry.map((e: Json) => e.response.location.split('/')[0]));
    for (const type of SHARED) {
      const answers = reply.body.entry.filter((e: Json) => e.response.location.startsWith(`${type}/`));
      expect(answers.length).toBeGreaterThan(0);
      for (const a of answers) {
        expect(a.response.status).toBe('200 OK');
        expect(a.resource.resourceType).toBe(type);
        expect(a.response.etag).toBe(`W/"${a.resource.meta.versionId}"`);
      }
      // The very resources the first import created, not new ones.
      expect(locationsOf(reply, type).sort()).toEqual(locationsOf(first, type).sort());
    }
    expect(await counts()).toEqual(before);

    const composition = (await call(server.base, 'GET', 'Composition?identifier=urn:oid:2.16.156.10011.1.1|LAB-2024-000124')).body.entry[0].resource;
    expect(locationsOf(first, 'Organization').map((l: string) => l.split('/_history')[0])).toContain(composition.custodian.reference);
    // The new patient was created in the same transaction.
    expect(reply.body.entry.find((e: Json) => e.response.location.startsWith('Patient/')).response.status).toMatch(/^201/);
  });

  it('tells the two doctors (and their roles) apart when it looks them up together', async () => {
    const third = lab.replace('extension="LAB-2024-000123"', 'extension="LAB-2024-000125"').replace('extension="440106199203150022"', `extension="${residentId('11010519800101002')}"`);
    const first = await call(server.base, 'POST', '$cda-import', Buffer.from(lab), CDA);
    const reply = await call(server.base, 'POST', '$cda-import', Buffer.from(third), CDA);
    expect(reply.status).toBe(200);
    expect(first.status).toBe(200);
    const identifiers = (type: string) => reply.body.entry.filter((e: Json) => e.resource.resourceType === type).map((e: Json) => e.resource.identifier[0].value as string);
    // In the document's order (the authoring doctor L0042, then L0001), each answered by the stored resource of that doctor or role.
    expect(identifiers('Practitioner')).toEqual(['L0042', 'L0001']);
    expect(identifiers('PractitionerRole').map((v: string) => v.replace(/^role:(L\d+).*$/, '$1'))).toEqual(['L0042', 'L0001']);
    for (const e of reply.body.entry.filter((x: Json) => SHARED.includes(x.resource.resourceType))) expect(e.response.status).toBe('200 OK');
  });

  it('leaves a doctor registered twice to the transaction, which refuses the ambiguity as before', async () => {
    const fourth = lab.replace('extension="LAB-2024-000123"', 'extension="LAB-2024-000126"').replace('extension="440106199203150022"', `extension="${residentId('11010519800101003')}"`);
    expect((await call(server.base, 'POST', '$cda-import', Buffer.from(lab), CDA)).status).toBe(200);
    const twice = await call(server.base, 'POST', 'Practitioner', { resourceType: 'Practitioner', identifier: [{ system: 'urn:oid:2.16.156.10011.1.4', value: 'L0001' }] });
    expect(twice.status).toBe(201);
    const reply = await call(server.base, 'POST', '$cda-import', Buffer.from(fourth), CDA);
    expect(reply.status).toBe(412);
    expect(JSON.stringify(reply.body)).toContain('L0001');
  });
});
