import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';

const LOCAL = 'https://hospital.example.cn/fhir/CodeSystem/lab-items';
const LOINC = 'http://loinc.org';
const MAP = 'https://hospital.example.cn/fhir/ConceptMap/lab-items-to-loinc';

const localTable = {
  resourceType: 'CodeSystem',
  url: LOCAL,
  version: '2024',
  name: 'LabItems',
  title: '某医院检验项目代码',
  status: 'active',
  content: 'complete',
  concept: [
    { code: 'GLU', display: '空腹血糖' },
    { code: 'HB', display: '血红蛋白' },
    { code: 'XYZ', display: '某特殊检验' },
  ],
};

function conceptMap(elements: [string, string][]): unknown {
  return {
    resourceType: 'ConceptMap',
    url: MAP,
    status: 'active',
    group: [{ source: LOCAL, target: LOINC, element: elements.map(([code, target]) => ({ code, target: [{ code: target, equivalence: 'equivalent' }] })) }],
  };
}

function observation(code: string, system = LOCAL): unknown {
  return { resourceType: 'Observation', status: 'final', code: { coding: [{ system, code }] }, valueQuantity: { value: 5.1, unit: 'mmol/L' } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function param(body: any, name: string): any {
  return body.parameter.find((p: { name: string }) => p.name === name);
}

describe.each(BACKENDS)('local code tables and mapping (标化) on %s', (backend) => {
  const server = useTestServer(backend);

  it('a stored code system joins the service and a ConceptMap adds the standard coding on write', async () => {
    expect((await call(server.base, 'POST', 'CodeSystem', localTable)).status).toBe(201);
    const valid = await call(server.base, 'GET', `CodeSystem/$validate-code?url=${encodeURIComponent(LOCAL)}&code=GLU`);
    expect(param(valid.body, 'result').valueBoolean).toBe(true);
    expect(param(valid.body, 'display').valueString).toBe('空腹血糖');

    const map = await call(server.base, 'POST', 'ConceptMap', conceptMap([['GLU', '14749-6'], ['HB', '718-7']]));
    expect(map.status).toBe(201);
    const created = await call(server.base, 'POST', 'Observation', observation('GLU'));
    expect(created.status).toBe(201);
    expect(created.body.code.coding).toEqual([
      { system: LOCAL, code: 'GLU' },
      { system: LOINC, code: '14749-6', display: '葡萄糖', userSelected: false },
    ]);
    expect(created.body.meta.tag ?? []).toEqual([]);
    // The added coding is searchable like any other.
    const found = await call(server.base, 'GET', `Observation?code=${encodeURIComponent(`${LOINC}|14749-6`)}`);
    expect(found.body.total).toBe(1);
  });

  it('an unmapped local code is stored, tagged and listed by $unmapped-codes until it is mapped', async () => {
    const created = await call(server.base, 'POST', 'Observation', observation('XYZ'));
    expect(created.status).toBe(201);
    expect(created.body.code.coding).toHaveLength(1);
    expect(created.body.meta.tag).toEqual([expect.objectContaining({ code: 'unmapped-local-code' })]);
    await call(server.base, 'POST', 'Observation', observation('XYZ'));

    const listed = await call(server.base, 'GET', `$unmapped-codes?system=${encodeURIComponent(LOCAL)}`);
    expect(listed.status).toBe(200);
    const entry = param(listed.body, 'code').part;
    expect(entry.find((p: { name: string }) => p.name === 'code').valueCode).toBe('XYZ');
    expect(entry.find((p: { name: string }) => p.name === 'occurrences').valueInteger).toBe(2);

    const search = await call(server.base, 'GET', 'Observation?_tag=https://qiao.health/fhir/CodeSystem/terminology-flag|unmapped-local-code');
    expect(search.body.total).toBe(2);

    const maps = await call(server.base, 'GET', `ConceptMap?url=${encodeURIComponent(MAP)}`);
    const id = maps.body.entry[0].resource.id;
    const updated = { ...(conceptMap([['GLU', '14749-6'], ['HB', '718-7'], ['XYZ', '1988-5']]) as object), id };
    expect((await call(server.base, 'PUT', `ConceptMap/${id}`, updated)).status).toBe(200);
    const after = await call(server.base, 'GET', '$unmapped-codes');
    expect(after.body.parameter ?? []).toEqual([]);
    const mapped = await call(server.base, 'POST', 'Observation', observation('XYZ'));
    expect(mapped.body.code.coding[1]).toEqual(expect.objectContaining({ system: LOINC, code: '1988-5' }));
    expect(mapped.body.meta.tag ?? []).toEqual([]);
  });

  it('a new version retires a code: refused in new data, kept in stored data, logged as a change', async () => {
    const table = {
      resourceType: 'CodeSystem', url: 'https://hospital.example.cn/fhir/CodeSystem/departments', version: '1', status: 'active', content: 'complete',
      concept: [{ code: 'D01', display: '内科' }, { code: 'D02', display: '外科' }],
    };
    expect((await call(server.base, 'POST', 'CodeSystem', table)).status).toBe(201);
    const before = await call(server.base, 'POST', 'Observation', observation('D02', table.url));
    expect(before.status).toBe(201);

    // Version 2 arrives as the hospital's CSV export: D02 retired, D03 added, D01 renamed.
    const csv = 'code,display,status\nD01,内科门诊,active\nD02,外科,停用\nD03,儿科,active\n';
    const imported = await call(server.base, 'POST', `CodeSystem/$import-csv?url=${encodeURIComponent(table.url)}&version=2&title=${encodeURIComponent('科室代码')}`, csv, { 'content-type': 'text/csv' });
    expect([200, 201]).toContain(imported.status);

    const refused = await call(server.base, 'POST', 'Observation', observation('D02', table.url));
    expect(refused.status).toBe(422);
    const issue = firstIssue(refused);
    expect(issue.details.text).toContain('已停用');
    expect(issue.details.text).toContain('is retired');
    expect(issue.expression).toEqual(['Observation.code.coding[0]']);

    // The same in a transaction: the whole Bundle is refused, the entry named.
    const bundle = await call(server.base, 'POST', '', {
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ fullUrl: 'urn:uuid:0b7c5a52-8a0e-4d6e-9d55-2f8f2f9c1a01', resource: observation('D02', table.url), request: { method: 'POST', url: 'Observation' } }],
    });
    expect(bundle.status).toBe(422);
    expect(firstIssue(bundle).expression[0]).toContain('Bundle.entry[0]');

    // Stored data stays readable and can still be updated with its code.
    const stored = await call(server.base, 'GET', `Observation/${before.body.id}`);
    expect(stored.status).toBe(200);
    expect((await call(server.base, 'PUT', `Observation/${before.body.id}`, { ...stored.body, status: 'amended' })).status).toBe(200);
    // The old version still answers for the code.
    const v1 = await call(server.base, 'GET', `CodeSystem/$lookup?system=${encodeURIComponent(table.url)}&code=D02&version=1`);
    expect(v1.body.parameter.find((p: { name: string; part?: { valueCode?: string }[] }) => p.name === 'property' && p.part?.[0]?.valueCode === 'status').part[1].valueCode).toBe('active');
    const v2 = await call(server.base, 'GET', `CodeSystem/$validate-code?url=${encodeURIComponent(table.url)}&code=D02`);
    expect(param(v2.body, 'result').valueBoolean).toBe(true);
    expect(param(v2.body, 'inactive').valueBoolean).toBe(true);

    const log = await call(server.base, 'GET', `CodeSystem/$code-changes?system=${encodeURIComponent(table.url)}`);
    const changes = log.body.parameter.map((p: { part: { name: string; valueCode?: string }[] }) => `${p.part[0]?.valueCode}:${p.part[1]?.valueCode}`).sort();
    expect(changes).toEqual(['D01:display-changed', 'D02:retired', 'D03:added']);

    const listed = await call(server.base, 'GET', `CodeSystem?url=${encodeURIComponent(table.url)}&version=2`);
    const exported = await call(server.base, 'GET', `CodeSystem/${listed.body.entry[0].resource.id}/$export-csv`);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    expect(exported.text).toContain('D02,外科,,,retired');
  });

  it('refuses a code table without a url, with a bilingual message', async () => {
    const reply = await call(server.base, 'POST', 'ValueSet', { resourceType: 'ValueSet', status: 'active' });
    expect(reply.status).toBe(422);
    expect(firstIssue(reply).details.text).toContain('必须有 url');
    expect(firstIssue(reply).expression).toEqual(['ValueSet.url']);
  });

  it('the import command loads an official CSV file into the server', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-tx-import-'));
    try {
      const file = path.join(dir, 'icd10.csv');
      await writeFile(file, '\uFEFF疾病编码,疾病名称,状态\nA00.000,霍乱,\nA00.100,古典生物型霍乱,\nA01.000,伤寒,停用\n');
      const cli = new URL('../../../terminology/dist/import/cli.js', import.meta.url).pathname;
      const { stdout } = await promisify(execFile)(process.execPath, [cli, '--system', 'icd10cn', '--version', `import-${backend}`, '--server', server.base, file]);
      expect(stdout).toContain('imported');
      const icd = 'urn:oid:2.16.156.10011.2.3.3.11';
      const found = await call(server.base, 'GET', `CodeSystem/$lookup?system=${encodeURIComponent(icd)}&code=A00.100`);
      expect(param(found.body, 'display').valueString).toBe('古典生物型霍乱');
      const retired = await call(server.base, 'POST', 'Condition', {
        resourceType: 'Condition', subject: { display: '测试' }, code: { coding: [{ system: icd, code: 'A01.000' }] },
      });
      expect(retired.status).toBe(422);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
