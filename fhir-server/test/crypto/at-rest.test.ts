import { Client } from 'fhir-kit-client';
import type { Queryable } from '../../src/repository/db.js';
import { call, firstIssue } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { files, poll, start } from '../export/client.js';

// A valid GB 11643 number (check character X), and phone numbers written three ways.
const RESIDENT_ID = '11010519491231002X';
const PHONE = '138 0013 8000';
const PHONE_DIGITS = '13800138000';
const CONTACT_PHONE = '13900139000';
const SECRETS = [RESIDENT_ID, RESIDENT_ID.toLowerCase(), PHONE, PHONE_DIGITS, '138-0013-8000', CONTACT_PHONE];
const RESIDENT = 'urn:oid:2.16.156.10011.1.3';
const HEALTH_RECORD = 'urn:oid:2.16.156.10011.1.2';

function patient(tag: string): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    meta: { tag: [{ system: 'urn:test', code: tag }] },
    identifier: [
      { system: RESIDENT, value: RESIDENT_ID, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NNCHN' }] } },
      { system: HEALTH_RECORD, value: `HR-${tag}` },
    ],
    name: [{ text: '王秀英', family: '王', given: ['秀英'] }],
    gender: 'female',
    birthDate: '1949-12-31',
    telecom: [
      { system: 'phone', value: PHONE, use: 'mobile' },
      { system: 'email', value: `${tag}@example.cn` },
    ],
    contact: [{ name: { text: '李强' }, telecom: [{ system: 'phone', value: CONTACT_PHONE }] }],
  };
}

/** Every row of every table of the test database, as text. */
async function everyRow(db: Queryable): Promise<Map<string, string>> {
  const tables = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  const out = new Map<string, string>();
  for (const { table_name: table } of tables) {
    const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table}" t`);
    out.set(table, rows.map((r) => r.row).join('\n'));
  }
  return out;
}

function expectNoPlaintext(rows: Map<string, string>): void {
  for (const [table, text] of rows) {
    for (const secret of SECRETS) {
      if (text.includes(secret)) throw new Error(`table ${table} holds "${secret}" in clear`);
    }
  }
}

describe.each(BACKENDS)('field-level encryption at rest (%s)', (backend) => {
  const server = useTestServer(backend);
  const tag = `enc-${backend}`;
  let id: string;

  beforeAll(async () => {
    const created = await call(server.base, 'POST', 'Patient', patient(tag));
    expect(created.status).toBe(201);
    id = created.body.id;
    // The reply to the write is the plaintext.
    expect(created.body.identifier[0].value).toBe(RESIDENT_ID);
    expect(created.body.telecom[0].value).toBe(PHONE);
  });

  test('no table of the database holds a resident ID or phone number in clear', async () => {
    const rows = await everyRow(server.ctx.db);
    expectNoPlaintext(rows);
    // The test can fail: an unsealed identifier of the same resource is there in clear, and the sealed ones as tokens.
    expect(rows.get('resource')).toContain(`HR-${tag}`);
    const [stored] = await server.ctx.db.query<{ content: string }>('SELECT content FROM resource WHERE resource_type = $1 AND id = $2', ['Patient', id]);
    expect(stored?.content.match(/\\u0073m4\.1\./g)).toHaveLength(3);
    const tokens = await server.ctx.db.query<{ value: string }>(`SELECT value FROM search_token WHERE resource_type = 'Patient' AND id = $1 AND param IN ('identifier', 'phone', 'telecom', 'identifier:of-type') AND system IS DISTINCT FROM $2`, [id, HEALTH_RECORD]);
    const sealedRows = tokens.filter((t) => t.value.startsWith('bi1.'));
    expect(sealedRows.length).toBeGreaterThanOrEqual(4); // identifier, of-type, phone, telecom
  });

  test('read, vread, history and search return the plaintext', async () => {
    const read = await call(server.base, 'GET', `Patient/${id}`);
    expect(read.body.identifier[0].value).toBe(RESIDENT_ID);
    expect(read.body.telecom[0].value).toBe(PHONE);
    expect(read.body.contact[0].telecom[0].value).toBe(CONTACT_PHONE);
    const vread = await call(server.base, 'GET', `Patient/${id}/_history/1`);
    expect(vread.body.identifier[0].value).toBe(RESIDENT_ID);

    const updated = await call(server.base, 'PUT', `Patient/${id}`, { ...read.body, birthDate: '1949-12-31', active: true });
    expect(updated.status).toBe(200);
    const history = await call(server.base, 'GET', `Patient/${id}/_history`);
    expect(history.body.entry).toHaveLength(2);
    for (const entry of history.body.entry) expect(entry.resource.telecom[0].value).toBe(PHONE);
    expectNoPlaintext(await everyRow(server.ctx.db));
  });

  test.each([
    ['identifier with system', `identifier=${RESIDENT}|${RESIDENT_ID}`],
    ['identifier without system', `identifier=${RESIDENT_ID}`],
    ['identifier, check character in lower case', `identifier=${RESIDENT}|${RESIDENT_ID.toLowerCase()}`],
    ['identifier:of-type', `identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|NNCHN|${RESIDENT_ID}`],
    ['phone as written', `phone=${encodeURIComponent(PHONE)}`],
    ['phone as digits', `phone=${PHONE_DIGITS}`],
    ['telecom', `telecom=${PHONE_DIGITS}`],
    ['identifier:not (finds nothing of ours)', `identifier:not=${RESIDENT_ID}&identifier=${HEALTH_RECORD}|HR-${tag}`, 0],
  ])('search by %s', async (_label, query, expected = 1) => {
    const reply = await call(server.base, 'GET', `Patient?${query}&_tag=${tag}`);
    expect(reply.status).toBe(200);
    expect(reply.body.total ?? reply.body.entry?.length ?? 0).toBe(expected);
    if (expected) expect(reply.body.entry[0].resource.identifier[0].value).toBe(RESIDENT_ID);
  });

  test('chained, _has, _include and _revinclude reach the sealed patient', async () => {
    const obs = await call(server.base, 'POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      subject: { reference: `Patient/${id}` },
      valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    });
    expect(obs.status).toBe(201);
    const chained = await call(server.base, 'GET', `Observation?subject:Patient.identifier=${RESIDENT}|${RESIDENT_ID}&_include=Observation:subject`);
    expect(chained.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType).sort()).toEqual(['Observation', 'Patient']);
    const included = chained.body.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient');
    expect(included.resource.identifier[0].value).toBe(RESIDENT_ID);
    const has = await call(server.base, 'GET', `Patient?_has:Observation:subject:code=8867-4&phone=${PHONE_DIGITS}&_revinclude=Observation:subject`);
    expect(has.body.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient').resource.telecom[0].value).toBe(PHONE);
    const everything = await call(server.base, 'GET', `Patient/${id}/$everything`);
    expect(everything.status).toBe(200);
    const self = everything.body.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient');
    expect(self.resource.identifier[0].value).toBe(RESIDENT_ID);
  });

  test('a transaction with a conditional create finds the sealed identifier', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:6f1f8b53-5f7e-4c1b-9f55-0d1f1d6f0a01',
          resource: patient(tag),
          request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${RESIDENT}|${RESIDENT_ID}` },
        },
        {
          fullUrl: 'urn:uuid:6f1f8b53-5f7e-4c1b-9f55-0d1f1d6f0a02',
          resource: { ...patient(`${tag}-tx`), identifier: [{ system: RESIDENT, value: '110105194912310029' }] },
          request: { method: 'POST', url: 'Patient' },
        },
      ],
    };
    const reply = await call(server.base, 'POST', '', bundle);
    expect(reply.status).toBe(200);
    expect(reply.body.entry[0].response.status).toMatch(/^200/); // the existing one, found by its blind index
    expect(reply.body.entry[0].response.location).toContain(`Patient/${id}/`);
    expect(reply.body.entry[1].response.status).toMatch(/^201/);
    const second = await call(server.base, 'GET', `Patient?identifier=110105194912310029`);
    expect(second.body.entry[0].resource.telecom[0].value).toBe(PHONE);
    const rows = await everyRow(server.ctx.db);
    expect([...rows.values()].some((t) => t.includes('110105194912310029'))).toBe(false);
  });

  test('prefix and partial matches on sealed values are refused by name', async () => {
    for (const query of ['identifier:contains=110105', 'phone:below=138', 'telecom:above=13800138000']) {
      const reply = await call(server.base, 'GET', `Patient?${query}`);
      expect(reply.status).toBe(400);
      const issue = firstIssue(reply);
      const text = JSON.stringify(issue);
      expect(text).toContain('加密存储');
      expect(text).toContain('whole value');
      expect(text).toContain(query.split('=')[0]);
    }
    // Parameters of other types are not affected.
    expect((await call(server.base, 'GET', 'Observation?identifier:below=abc')).status).not.toBe(500);
  });

  test('a client string that looks like a token is stored and served as sent', async () => {
    const lookalike = 'sm4.1.k1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const created = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: lookalike }], telecom: [{ system: 'phone', value: lookalike }] });
    expect(created.status).toBe(201);
    const read = await call(server.base, 'GET', `Patient/${created.body.id}`);
    expect(read.body.name[0].text).toBe(lookalike);
    expect(read.body.telecom[0].value).toBe(lookalike);
  });

  test('fhir-kit-client reads and searches the plaintext', async () => {
    const client = new Client({ baseUrl: server.base });
    const found = (await client.search({ resourceType: 'Patient', searchParams: { identifier: `${RESIDENT}|${RESIDENT_ID}`, _tag: tag } })) as unknown as {
      entry: { resource: { id: string; telecom: { value: string }[] } }[];
    };
    expect(found.entry.map((e) => e.resource.id)).toEqual([id]);
    expect(found.entry[0]?.resource.telecom[0]?.value).toBe(PHONE);
    const byPhone = (await client.search({ resourceType: 'Patient', searchParams: { phone: PHONE_DIGITS, _tag: tag } })) as unknown as { entry: { resource: { id: string } }[] };
    expect(byPhone.entry.map((e) => e.resource.id)).toEqual([id]);
  });

  test('bulk export files hold the plaintext', async () => {
    const manifest = await poll(await start(server.base, 'Patient/$export', [['_type', 'Patient']]));
    const patients = (await files(manifest)).get('Patient') ?? [];
    const ours = patients.find((p) => p.id === id) as { identifier: { value: string }[] } | undefined;
    expect(ours?.identifier[0]?.value).toBe(RESIDENT_ID);
  });
});
