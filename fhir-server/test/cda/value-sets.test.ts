import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { useTestServer } from '../support/test-server.js';
import { call } from '../support/http.js';

// Servers start slowly on a loaded two-core machine; the root jest run does not apply the project's testTimeout.
jest.setTimeout(120000);

const CDA = { 'content-type': 'application/hl7-cda+xml' };
const fixture = (name: string) => readFileSync(new URL(`../../../cda-adapters/test/fixtures/${name}`, import.meta.url));
const good = fixture('C0032-front-page.xml');
const wrong = fixture('C0032-front-page-wrong-codes.xml');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const rows = (outcome: Json) =>
  outcome.issue.map((i: Json) => [i.severity, i.details.coding[0].code, (i.expression[0] as string).replace(/^.*\/section\//, '')]);

describe('$cda-validate checks coded data elements against their WS 364 / WS/T 500 value sets', () => {
  const server = useTestServer('postgres');

  it('a front page coded from the national value sets is valid', async () => {
    const reply = await call(server.base, 'POST', '$cda-validate', good, CDA);
    expect(reply.status).toBe(200);
    expect(reply.body.issue).toEqual([{ severity: 'information', code: 'informational', diagnostics: '文档有效 | the document is valid' }]);
  });

  it('codes outside their value sets: an error where the standard requires the set, a warning where regions extend it', async () => {
    const reply = await call(server.base, 'POST', '$cda-validate', wrong, CDA);
    expect(reply.status).toBe(200);
    expect(rows(reply.body)).toEqual([
      ['error', 'CDA-VS-001', 'entry/procedure/entryRelationship[2]/observation/value/@code'],
      ['error', 'CDA-VS-001', 'entry/procedure/entryRelationship[4]/observation/value/@code'],
      ['error', 'CDA-BODY-006', 'entry/organizer/component[2]/observation/value/@codeSystem'],
      ['error', 'CDA-VS-001', 'entry/substanceAdministration/routeCode/@code'],
      ['warning', 'CDA-VS-002', 'entry[2]/observation/value/@code'],
    ]);
    const anaesthesia = reply.body.issue[1];
    expect(anaesthesia.details.text).toBe(
      '数据元 DE06.00.073.00（麻醉方法代码）的代码 46 不在其值集 2.16.156.10011.2.3.1.159 中 | code 46 of data element DE06.00.073.00 (麻醉方法代码) is not in its value set 2.16.156.10011.2.3.1.159',
    );
    expect(anaesthesia.expression[0]).toBe('/ClinicalDocument/component/structuredBody/component[2]/section/entry/procedure/entryRelationship[4]/observation/value/@code');
  });

  it('the document with wrong codes is not imported, the right one is', async () => {
    expect((await call(server.base, 'POST', '$cda-import', wrong, CDA)).status).toBe(422);
    const imported = await call(server.base, 'POST', '$cda-import', good, CDA);
    expect(imported.status).toBe(200);
    const procedure = (await call(server.base, 'GET', 'Procedure?code=urn:oid:2.16.156.10011.2.3.3.12|51.23')).body.entry[0].resource;
    expect(JSON.stringify(procedure)).toContain('2.16.156.10011.2.3.1.258');
  });

  it("a platform's stored edition of a national table is what the check uses", async () => {
    const csv = 'code,display\n1,一级手术\n2,二级手术\n3,三级手术\n4,四级手术\n5,五级手术\n';
    const url = encodeURIComponent('urn:oid:2.16.156.10011.2.3.1.258');
    const imported = await call(server.base, 'POST', `CodeSystem/$import-csv?url=${url}&version=2099-local`, csv, { 'content-type': 'text/csv' });
    expect(imported.status).toBeLessThan(300);
    const reply = await call(server.base, 'POST', '$cda-validate', wrong, CDA);
    expect(rows(reply.body).map((r: string[]) => r[1])).toEqual(['CDA-VS-001', 'CDA-BODY-006', 'CDA-VS-001', 'CDA-VS-002']);
  });
});
