import { readFileSync } from 'node:fs';
import { jest } from '@jest/globals';
import type { Patient } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../../src/auth/principal.js';
import { handle } from '../../src/router/router.js';
import { bearer, userToken, useAuthServer } from '../support/auth.js';
import { call } from '../support/http.js';

jest.setTimeout(180000);

const labBytes = readFileSync(new URL('../../../cda-adapters/test/fixtures/C0007-lab-report.xml', import.meta.url));
const RESIDENT = '440106199203150022';
const PHONE = '13912345678';

/** CDA documents rendered for a masked role carry the resident ID and phone masked exactly as the JSON does. */
describe('CDA output masked as JSON replies are (PGlite, auth on)', () => {
  const server = useAuthServer('pglite');
  let patientId = '';
  let compositionId = '';
  const as = async (username: string) => bearer((await userToken(server, { username, scopes: 'user/*.rs' })).body.access_token as string);

  beforeAll(async () => {
    // The import writes directories (Organization, Practitioner) too: the server's own principal does it.
    const imported = await handle(server.ctx, { method: 'POST', path: '$cda-import', query: [], rawBody: labBytes, prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
    expect(imported.status).toBe(200);
    const found = await handle(server.ctx, { method: 'GET', path: 'Patient', query: [['identifier', `urn:oid:2.16.156.10011.1.3|${RESIDENT}`]], prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
    // Search entries hold stored JSON unparsed (RawJson).
    const first = (body: unknown) => JSON.parse((body as { entry: { resource: { text: string } }[] }).entry[0]?.resource.text as string);
    const patient = first(found.body) as Patient;
    patientId = patient.id as string;
    const withPhone = { ...patient, telecom: [{ system: 'phone', value: PHONE }] } as Patient;
    expect((await handle(server.ctx, { method: 'PUT', path: `Patient/${patientId}`, query: [], body: withPhone, prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL })).status).toBe(200);
    const compositions = await handle(server.ctx, { method: 'GET', path: 'Composition', query: [['subject', `Patient/${patientId}`]], prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
    compositionId = first(compositions.body).id as string;
  });

  it('a radiologist (masked role) gets the ID and phone masked in $cda and $cda-generate, as in the Patient JSON', async () => {
    const h = await as('radiologist');
    const json = await call(server.base, 'GET', `Patient/${patientId}`, undefined, h);
    const maskedId = json.body.identifier.find((i: { system: string }) => i.system === 'urn:oid:2.16.156.10011.1.3').value as string;
    const maskedPhone = json.body.telecom[0].value as string;
    expect(maskedId).toBe('440***********0022');
    expect(maskedPhone).toBe('139****5678');
    for (const reply of [
      await call(server.base, 'GET', `Composition/${compositionId}/$cda`, undefined, h),
      await call(server.base, 'POST', `$cda-generate?patient=Patient/${patientId}&type=C0007`, undefined, h),
    ]) {
      expect([reply.status, reply.status === 200 ? '' : reply.text]).toEqual([200, '']);
      expect(reply.text).not.toContain(RESIDENT);
      expect(reply.text).not.toContain(PHONE);
      expect(reply.text).toContain(`extension="${maskedId}"`);
      expect(reply.text).toContain(`tel:${maskedPhone}`);
    }
  });

  it('the server itself (unmasked) renders the same documents in full', async () => {
    const reply = await handle(server.ctx, { method: 'POST', path: '$cda-generate', query: [['patient', `Patient/${patientId}`], ['type', 'C0007']], prefer: {}, baseUrl: server.base, principal: SYSTEM_PRINCIPAL });
    expect(reply.status).toBe(200);
    const xml = String((reply.body as unknown as { data: string }).data);
    expect(xml).toContain(`extension="${RESIDENT}"`);
    expect(xml).toContain(`tel:${PHONE}`);
  });
});
