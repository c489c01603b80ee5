import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Bundle, MedicationRequest, ServiceRequest } from '@medplum/fhirtypes';
import { backendToken, bearer, useAuthServer, type TestKey } from '../support/auth.js';
import { call } from '../support/http.js';
import { daysAgo, hospital, patient } from '../registries/synthetic.js';

const LOINC = 'http://loinc.org';
const DRUG = 'https://qiao.health/test/drug';
const LAB_CATEGORY = [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }] }];
const IMAGING_CATEGORY = [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }] }];

function labOrder(id: string, code: string, text: string, patientRef: string): ServiceRequest {
  return { resourceType: 'ServiceRequest', id, status: 'draft', intent: 'order', category: LAB_CATEGORY, code: { coding: [{ system: LOINC, code }], text }, subject: { reference: patientRef } };
}

describe('CDS Hooks: duplicate-order reminders over HTTP, as a CDS client calls them', () => {
  const server = useAuthServer('postgres');
  let setup: Record<string, string>;
  let client: { clientId: string; key: TestKey };
  let patientId = '';
  let cbcReport = '';

  async function cdsJwt(service: string, o: { aud?: string; jti?: string } = {}): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: client.key.alg, kid: client.key.kid, typ: 'JWT' })
      .setIssuer(client.clientId)
      .setSubject(client.clientId)
      .setAudience(o.aud ?? `${server.url}/cds-services/${service}`)
      .setIssuedAt()
      .setExpirationTime('4m')
      .setJti(o.jti ?? randomUUID())
      .sign(client.key.privateKey);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function hook(service: string, body: unknown, jwt?: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.url}/cds-services/${service}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt ?? (await cdsJwt(service))}` },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  const request = (hookName: string, orders: (ServiceRequest | MedicationRequest)[], selections?: string[]) => ({
    hook: hookName,
    hookInstance: randomUUID(),
    fhirServer: server.base,
    context: {
      userId: 'Practitioner/doctor-b',
      patientId,
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: orders.map((resource) => ({ resource })) } satisfies Bundle,
      ...(selections ? { selections } : {}),
    },
  });

  beforeAll(async () => {
    setup = bearer((await backendToken(server, { scopes: 'system/*.cruds' })).accessToken);
    for (const [id, n] of [['hosp-a', 1], ['hosp-b', 2]] as const) await call(server.base, 'PUT', `Organization/${id}`, { ...hospital(n), id }, setup);
    patientId = (await call(server.base, 'POST', 'Patient', patient(21, 'female', '1980-04-05'), setup)).body.id;
    const subject = { reference: `Patient/${patientId}` };
    const post = async (r: object) => {
      const reply = await call(server.base, 'POST', (r as { resourceType: string }).resourceType, r, setup);
      if (reply.status !== 201) throw new Error(reply.text);
      return `${(r as { resourceType: string }).resourceType}/${reply.body.id as string}`;
    };
    // Hospital A did a blood count 3 days ago: a report citing its member results.
    const hb = await post({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: LOINC, code: '718-7' }], text: '血红蛋白' }, subject, effectiveDateTime: daysAgo(3), performer: [{ reference: 'Organization/hosp-a' }], valueQuantity: { value: 132, unit: 'g/L' } });
    cbcReport = await post({ resourceType: 'DiagnosticReport', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'HM' }] }], code: { coding: [{ system: LOINC, code: '58410-2' }], text: '血常规' }, subject, effectiveDateTime: daysAgo(3), performer: [{ reference: 'Organization/hosp-a' }], result: [{ reference: hb }] });
    // Outside their windows: a lipid panel 40 days ago (30), a chest CT 45 days ago (30).
    await post({ resourceType: 'DiagnosticReport', status: 'final', code: { coding: [{ system: LOINC, code: '24331-1' }], text: '血脂四项' }, subject, effectiveDateTime: daysAgo(40), performer: [{ reference: 'Organization/hosp-a' }] });
    await post({ resourceType: 'DiagnosticReport', status: 'final', code: { coding: [{ system: LOINC, code: '24627-2' }], text: '胸部CT' }, subject, effectiveDateTime: daysAgo(45), performer: [{ reference: 'Organization/hosp-a' }] });
    // Metformin prescribed at hospital A 5 days ago; a cancelled prescription does not count.
    await post({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: { coding: [{ system: DRUG, code: 'metformin-500' }], text: '二甲双胍片 0.5g' }, subject, authoredOn: daysAgo(5), requester: { reference: 'Organization/hosp-a' } });
    await post({ resourceType: 'MedicationRequest', status: 'cancelled', intent: 'order', medicationCodeableConcept: { coding: [{ system: DRUG, code: 'aspirin-100' }] }, subject, authoredOn: daysAgo(2) });
    // A head CT at hospital B 10 days ago, known as an ImagingStudy only (no report yet).
    await post({ resourceType: 'ImagingStudy', status: 'available', subject, started: `${daysAgo(10)}T08:00:00+08:00`, procedureCode: [{ coding: [{ system: LOINC, code: '24725-4' }], text: '头颅CT平扫' }], series: [{ uid: '1.2.840.99999.1.1', modality: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }, performer: [{ actor: { reference: 'Organization/hosp-b' } }] }] });
    const registered = await backendToken(server, { scopes: 'system/*.rs' });
    client = { clientId: registered.clientId, key: registered.key };
  });

  it('discovery lists both services with their hooks and prefetch templates', async () => {
    const res = await fetch(`${server.url}/cds-services`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body: any = await res.json();
    expect(body.services.map((s: { id: string; hook: string }) => [s.id, s.hook])).toEqual([['duplicate-order-select', 'order-select'], ['duplicate-order-sign', 'order-sign']]);
    expect(body.services[0].prefetch).toEqual({ patient: 'Patient/{{context.patientId}}' });
  });

  it('order-select: a blood count within 7 days at another institution gets a warning card citing the earlier report', async () => {
    const reply = await hook('duplicate-order-select', request('order-select', [labOrder('draft-cbc', '58410-2', '血常规', `Patient/${patientId}`)], ['ServiceRequest/draft-cbc']));
    expect(reply.status).toBe(200);
    expect(reply.body.cards).toHaveLength(1);
    const [card] = reply.body.cards;
    expect(card?.indicator).toBe('warning');
    expect(card?.summary).toContain(`重复检验：血常规已于${daysAgo(3)}在测试医院1完成`);
    expect(card?.summary.length).toBeLessThanOrEqual(140);
    expect(card?.detail).toContain(cbcReport);
    expect(card?.detail).toContain('测试医院1 | Test hospital 1');
    expect(card?.source.topic.code).toBe('cbc');
    expect(card?.suggestions?.[0]?.actions[0]).toMatchObject({ type: 'delete', resource: 'ServiceRequest/draft-cbc', resourceId: ['ServiceRequest/draft-cbc'] });
    expect(card?.links[0]?.url).toBe(`${server.base}/${cbcReport}`);
    // The report stands for its member results: one line, not two.
    expect(card?.detail.match(/\| \[/g)).toHaveLength(1);
  });

  it('order-select judges only the selected orders; a member test ordered alone matches the same code', async () => {
    const orders = [labOrder('draft-cbc', '58410-2', '血常规', `Patient/${patientId}`), labOrder('draft-hb', '718-7', '血红蛋白', `Patient/${patientId}`)];
    const reply = await hook('duplicate-order-select', request('order-select', orders, ['ServiceRequest/draft-hb']));
    expect(reply.body.cards).toHaveLength(1);
    expect(reply.body.cards[0]?.source.topic.code).toBe('lab-same-code');
    expect(reply.body.cards[0]?.detail).toMatch(/Observation\//);
  });

  it('order-sign: no card outside the window (lipids 40 d, CT 45 d), a card for the duplicate drug, none for a cancelled one', async () => {
    const subject = { reference: `Patient/${patientId}` };
    const orders: (ServiceRequest | MedicationRequest)[] = [
      labOrder('draft-lipids', '24331-1', '血脂四项', subject.reference),
      { resourceType: 'ServiceRequest', id: 'draft-ct', status: 'draft', intent: 'order', category: IMAGING_CATEGORY, code: { coding: [{ system: LOINC, code: '24627-2' }], text: '胸部CT' }, subject },
      { resourceType: 'MedicationRequest', id: 'draft-met', status: 'draft', intent: 'order', medicationCodeableConcept: { coding: [{ system: DRUG, code: 'metformin-500' }], text: '二甲双胍片 0.5g' }, subject },
      { resourceType: 'MedicationRequest', id: 'draft-asp', status: 'draft', intent: 'order', medicationCodeableConcept: { coding: [{ system: DRUG, code: 'aspirin-100' }], text: '阿司匹林' }, subject },
    ];
    const reply = await hook('duplicate-order-sign', request('order-sign', orders));
    expect(reply.status).toBe(200);
    expect(reply.body.cards).toHaveLength(1);
    expect(reply.body.cards[0]?.summary).toMatch(/^重复用药：二甲双胍片 0.5g已于/);
    expect(reply.body.cards[0]?.suggestions?.[0]?.actions[0]?.resource).toBe('MedicationRequest/draft-met');
  });

  it('an exam known only as an ImagingStudy (procedure code) within 30 days gets a card naming the institution', async () => {
    const order: ServiceRequest = { resourceType: 'ServiceRequest', id: 'draft-ct-head', status: 'draft', intent: 'order', category: IMAGING_CATEGORY, code: { coding: [{ system: LOINC, code: '24725-4' }], text: '头颅CT' }, subject: { reference: `Patient/${patientId}` } };
    const reply = await hook('duplicate-order-select', request('order-select', [order], ['ServiceRequest/draft-ct-head']));
    expect(reply.body.cards).toHaveLength(1);
    expect(reply.body.cards[0].summary).toContain(`重复检查：头颅CT已于${daysAgo(10)}在测试医院2完成`);
    expect(reply.body.cards[0].detail).toMatch(/ImagingStudy\//);
  });

  it('the CDS client\'s JWT is required and checked: audience, replay, signature', async () => {
    const body = request('order-sign', []);
    const none = await fetch(`${server.url}/cds-services/duplicate-order-sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(none.status).toBe(401);
    expect((await hook('duplicate-order-sign', body, await cdsJwt('duplicate-order-sign', { aud: `${server.url}/cds-services/other` }))).status).toBe(401);
    const once = await cdsJwt('duplicate-order-sign', { jti: 'same-jti' });
    expect((await hook('duplicate-order-sign', body, once)).status).toBe(200);
    const replay = await hook('duplicate-order-sign', body, once);
    expect(replay.status).toBe(401);
    expect(JSON.stringify(replay.body)).toMatch(/replay/);
    expect((await hook('duplicate-order-sign', body, `${once.slice(0, -4)}AAAA`)).status).toBe(401);
  });

  it('bad requests are 4xx with a bilingual OperationOutcome', async () => {
    expect((await hook('no-such-service', request('order-sign', []), await cdsJwt('no-such-service'))).status).toBe(404);
    const malformed = await hook('duplicate-order-sign', '{"hook": ', undefined);
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toMatch(/JSON/);
    const wrongHook = await hook('duplicate-order-sign', request('order-select', [], []));
    expect(wrongHook.status).toBe(400);
    expect(wrongHook.body.issue[0]?.expression).toEqual(['hook']);
    const noSelections = await hook('duplicate-order-select', request('order-select', []));
    expect(noSelections.status).toBe(400);
    const badPatient = await hook('duplicate-order-sign', { ...request('order-sign', []), context: { patientId: "1' OR '1'='1", draftOrders: { resourceType: 'Bundle', entry: [] } } });
    expect(badPatient.status).toBe(400);
  });
});
