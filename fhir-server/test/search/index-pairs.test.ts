import { migrations } from '../../src/schema/migrations.js';
import { call, type Reply } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

/**
 * Parameters indexed together (src/search/index/pairs.ts): a code with its date, value or patient
 * (also behind `_has`). The pair rows follow creates, updates
 * and deletes, and migration 20's backfill makes from the separate index rows exactly the rows the
 * writer makes — so resources stored before the migration are found as those stored after it.
 */

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

const observation = (id: string, code: string, at: string, value: number, local = false) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code }, ...(local ? [{ system: 'http://example.org/lab', code: `L${code}` }] : [])] },
  effectiveDateTime: at,
  valueQuantity: { value, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
});

const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const condition = (id: string, code: string, patient: string) => ({ resourceType: 'Condition', id, subject: { reference: `Patient/${patient}` }, code: { coding: [{ system: ICD10, code }] } });

const RESOURCES = [
  observation('pr1', '2345-7', '2024-03-01T08:00:00Z', 5.5, true),
  observation('pr2', '2345-7', '2024-03-09T08:00:00Z', 9.1),
  observation('pr3', '718-7', '2024-03-01T09:00:00Z', 140),
  // A period and a value in another unit of the same dimension.
  { ...observation('pr4', '2345-7', '2024-03-02T00:00:00Z', 1000), effectiveDateTime: undefined, effectivePeriod: { start: '2024-03-02', end: '2024-03-03' }, valueQuantity: { value: 6000, unit: 'umol/L', system: UCUM, code: 'umol/L' } },
  // No value: a code and date pair, no code and value pair.
  { resourceType: 'Observation', id: 'pr5', status: 'final', code: { coding: [{ system: LOINC, code: '2345-7' }] }, effectiveDateTime: '2024-03-01' },
  {
    resourceType: 'DiagnosticReport',
    id: 'pr6',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '24323-8' }] },
    effectiveDateTime: '2024-03-05T10:00:00+08:00',
    contained: [{ ...observation('inner', '2345-7', '2024-03-05T09:00:00Z', 7.7), id: 'inner' }],
    result: [{ reference: '#inner' }],
  },
  ...['pa1', 'pa2', 'pa3'].map((id) => ({ resourceType: 'Patient', id })),
  condition('c1', 'I10', 'pa1'),
  { ...condition('c2', 'I10', 'pa2'), code: { coding: [{ system: ICD10, code: 'I10' }, { system: 'http://example.org/dx', code: 'HTN' }] } },
  condition('c3', 'E11.9', 'pa1'),
];

const ids = (r: Reply): string[] => ((r.body?.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id).sort();

describe.each(BACKENDS)('parameters indexed together on %s', (backend) => {
  const server = useTestServer(backend);
  const search = async (query: string) => {
    const reply = await call(server.base, 'GET', query);
    expect(reply.status).toBe(200);
    return ids(reply);
  };
  const pairRows = async () => ({
    date: await server.ctx.db.query('SELECT resource_type, id, param, token_system, token_value, low, high FROM search_token_date ORDER BY 1, 2, 3, 4, 5, 6'),
    reference: await server.ctx.db.query('SELECT resource_type, id, param, token_system, token_value, target_type, target_id, url FROM search_token_reference ORDER BY 1, 2, 3, 4, 5'),
    quantity: await server.ctx.db.query(
      'SELECT resource_type, id, param, token_system, token_value, value::text, system, code, unit, canonical_value::text, canonical_code FROM search_token_quantity ORDER BY 1, 2, 3, 4, 5',
    ),
  });

  beforeAll(async () => {
    for (const resource of RESOURCES) expect((await call(server.base, 'PUT', `/${resource.resourceType}/${resource.id}`, resource)).status).toBe(201);
  });

  it('finds by a code with a date window or a value range, across units', async () => {
    expect(await search('/Observation?code=2345-7&date=ge2024-03-01&date=lt2024-03-03')).toEqual(['pr1', 'pr4', 'pr5']);
    expect(await search(`/Observation?code=${encodeURIComponent(`${LOINC}|2345-7`)}&value-quantity=gt5`)).toEqual(['pr1', 'pr2', 'pr4']);
    expect(await search(`/Observation?code=2345-7&value-quantity=${encodeURIComponent(`ge5.5|${UCUM}|mmol/L`)}`)).toEqual(['pr1', 'pr2', 'pr4']);
    expect(await search('/Observation?code=L2345-7,718-7&date=2024-03-01')).toEqual(['pr1', 'pr3']);
    expect(await search('/DiagnosticReport?code=24323-8&date=2024-03-05')).toEqual(['pr6']);
    // A contained Observation's pair rows are keyed apart, and found through its container.
    expect(await search('/Observation?_contained=true&code=2345-7&value-quantity=gt7')).toEqual(['pr6']);
    expect(await search('/Observation?_contained=true&code=2345-7&value-quantity=gt8')).toEqual([]);
  });

  it('finds the patients with a diagnosis, and a patient\'s conditions of a code', async () => {
    expect(await search('/Patient?_has:Condition:patient:code=I10')).toEqual(['pa1', 'pa2']);
    expect(await search(`/Patient?_has:Condition:patient:code=${encodeURIComponent('http://example.org/dx|HTN')},E11.9`)).toEqual(['pa1', 'pa2']);
    expect(await search('/Patient?_has:Condition:patient:code:not=I10')).toEqual(['pa1']);
    expect(await search('/Condition?code=I10&patient=Patient/pa1')).toEqual(['c1']);
    expect(await search('/Condition?code=I10&patient=pa3')).toEqual([]);
  });

  it('backfills from the separate rows exactly what the writer keeps (migration 20)', async () => {
    const written = await pairRows();
    expect(written.date.length).toBeGreaterThanOrEqual(7);
    expect(written.quantity.length).toBeGreaterThanOrEqual(5);
    expect(written.reference).toHaveLength(4);
    const migration = migrations.find((m) => m.version === 20);
    const inserts = (migration?.sql ?? '').split(';').filter((s) => /^\s*(--[^\n]*\n\s*)*INSERT/.test(s));
    expect(inserts).toHaveLength(3);
    // The code+patient pair was filled from the `patient` rows, which the writer has kept no more
    // since they became derived (migration 23): its replay would need them back.
    const replayed = inserts.filter((insert) => !insert.includes('search_token_reference'));
    expect(replayed).toHaveLength(2);
    await server.ctx.db.exec('DELETE FROM search_token_date; DELETE FROM search_token_quantity;');
    for (const insert of replayed) await server.ctx.db.exec(insert);
    expect(await pairRows()).toEqual(written);
  });

  it('follows updates and deletes', async () => {
    const update = await call(server.base, 'PUT', '/Observation/pr2', observation('pr2', '718-7', '2024-03-09T08:00:00Z', 9.1));
    expect(update.status).toBe(200);
    expect(await search('/Observation?code=2345-7&value-quantity=gt5')).toEqual(['pr1', 'pr4']);
    expect(await search('/Observation?code=718-7&value-quantity=gt5')).toEqual(['pr2', 'pr3']);
    expect((await call(server.base, 'DELETE', '/Observation/pr3')).status).toBe(200);
    expect(await search('/Observation?code=718-7&date=le2024-03-31')).toEqual(['pr2']);
    expect((await call(server.base, 'DELETE', '/Condition/c1')).status).toBe(200);
    expect(await search('/Patient?_has:Condition:patient:code=I10')).toEqual(['pa2']);
  });
});
