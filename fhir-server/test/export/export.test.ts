import { jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportRunner, RETENTION_HOURS } from '../../src/bulk/runner.js';
import { generateDataset } from '../../src/seed/index.js';
import { call, firstIssue } from '../support/http.js';
import { backendToken, bearer, useAuthServer } from '../support/auth.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { files, kickoff, poll, searchCount, start, type Json } from './client.js';

jest.setTimeout(120_000);

/**
 * Bulk Data 2.0 export against a seeded dataset: every file is downloaded and its lines counted
 * against what a search of the same selection counts.
 */
describe.each(BACKENDS)('bulk export (%s)', (backend) => {
  const server = useTestServer(backend);
  let patientIds: string[];
  let datasetTypes: Set<string>;

  beforeAll(async () => {
    datasetTypes = new Set();
    for (const bundle of generateDataset({ patients: 6, seed: 'bulk-export' })) {
      for (const entry of bundle.entry ?? []) datasetTypes.add((entry.resource as Json).resourceType);
      const reply = await call(server.base, 'POST', '', bundle);
      expect(reply.status).toBe(200);
    }
    // The server adds a Provenance signing each final report (SM2, docs/signatures.md): exported like the rest.
    datasetTypes.add('Provenance');
    const patients = await call(server.base, 'GET', 'Patient?_count=100&_elements=id');
    patientIds = (patients.body.entry as { resource: Json }[]).map((e) => e.resource.id).sort();
    expect(patientIds).toHaveLength(6);
  });

  /** The ids of `type` in the compartments of the patients (a union: a resource may be in two). */
  const compartmentIds = async (patients: string[], type: string) => {
    const ids = new Set<string>();
    for (const id of patients) {
      const reply = await call(server.base, 'GET', `Patient/${id}/${type}?_count=1000&_elements=id`);
      for (const e of (reply.body.entry ?? []) as { resource: Json }[]) ids.add(e.resource.id);
    }
    return [...ids].sort();
  };

  const typesWithData = async (types: Iterable<string>) => {
    const counts = new Map<string, number>();
    for (const type of types) {
      const n = await searchCount(server.base, type);
      if (n > 0) counts.set(type, n);
    }
    return counts;
  };

  test('system export: one file per type with data, each line a resource, counts equal to a search', async () => {
    const status = await start(server.base, '$export');
    expect(status).toMatch(new RegExp(`^${server.url}/bulk/export/[0-9a-f-]{36}$`));
    const manifest = await poll(status);
    expect(manifest.requiresAccessToken).toBe(false);
    expect(manifest.request).toBe(`${server.base}/$export`);
    expect(Date.parse(manifest.transactionTime)).toBeLessThanOrEqual(Date.now());
    expect(manifest.error).toEqual([]);
    const exported = await files(manifest);
    const expected = await typesWithData(datasetTypes);
    expect(new Set(exported.keys())).toEqual(new Set(expected.keys()));
    for (const [type, n] of expected) expect({ type, lines: exported.get(type)?.length }).toEqual({ type, lines: n });
    // Each resource once.
    const keys = [...exported.values()].flat().map((r) => `${r.resourceType}/${r.id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('Patient/$export: the Patient compartment of every patient, nothing else', async () => {
    const manifest = await poll(await start(server.base, 'Patient/$export'));
    const exported = await files(manifest);
    expect(exported.has('Organization')).toBe(false);
    expect(exported.has('Practitioner')).toBe(false);
    expect(exported.get('Patient')?.length).toBe(patientIds.length);
    for (const [type, resources] of exported) {
      if (type === 'Patient') continue;
      expect({ type, ids: resources.map((r) => r.id).sort() }).toEqual({ type, ids: await compartmentIds(patientIds, type) });
    }
  });

  test('Group/{id}/$export: the compartments of the active Patient members only', async () => {
    const [a, b, c] = patientIds as [string, string, string];
    const group = await call(server.base, 'POST', 'Group', {
      resourceType: 'Group',
      type: 'person',
      actual: true,
      member: [{ entity: { reference: `Patient/${a}` } }, { entity: { reference: `${server.base}/Patient/${b}` } }, { entity: { reference: `Patient/${c}` }, inactive: true }],
    });
    expect(group.status).toBe(201);
    const manifest = await poll(await start(server.base, `Group/${group.body.id}/$export`));
    const exported = await files(manifest);
    expect(exported.get('Patient')?.map((p) => p.id).sort()).toEqual([a, b].sort());
    for (const [type, resources] of exported) {
      if (type === 'Patient') continue;
      expect({ type, ids: resources.map((r) => r.id).sort() }).toEqual({ type, ids: await compartmentIds([a, b], type) });
      if (type !== 'Group') expect(resources.filter((r) => JSON.stringify(r).includes(`Patient/${c}"`))).toEqual([]);
    }
    expect(exported.size).toBeGreaterThan(3);
  });

  test('_type limits the types; _typeFilter narrows a type by search criteria (alternatives ORed)', async () => {
    const manifest = await poll(await start(server.base, '$export', [['_type', 'Patient,Observation'], ['_outputFormat', 'application/ndjson']]));
    expect(manifest.output.map((o) => o.type).sort()).toEqual(['Observation', 'Patient']);

    const observations = (await files(manifest)).get('Observation') as Json[];
    const codes = [...new Set(observations.map((o) => (o.code as { coding: { system: string; code: string }[] }).coding[0]!.code))].sort();
    expect(codes.length).toBeGreaterThan(1);
    const [first, second] = codes as [string, string];
    const filtered = await poll(
      await start(server.base, '$export', [['_type', 'Observation,Condition'], ['_typeFilter', `Observation?code=${encodeURIComponent(first)},Observation?code=${encodeURIComponent(second)}`]]),
    );
    const byType = await files(filtered);
    expect(byType.get('Observation')?.length).toBe(await searchCount(server.base, `Observation?code=${first},${second}`));
    expect(byType.get('Condition')?.length).toBe(await searchCount(server.base, 'Condition'));
    // A filter on a type not asked for in _type exports nothing of it.
    const notAsked = await poll(await start(server.base, '$export', [['_type', 'Patient'], ['_typeFilter', 'Observation?status=final']]));
    expect(notAsked.output.map((o) => o.type)).toEqual(['Patient']);
  });

  test('_since: only what changed after the instant', async () => {
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const patient = (await call(server.base, 'GET', `Patient/${patientIds[0]}`)).body as Json;
    expect((await call(server.base, 'PUT', `Patient/${patient.id}`, { ...patient, active: !(patient.active ?? false) })).status).toBe(200);
    const created = await call(server.base, 'POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { text: '体温' },
      subject: { reference: `Patient/${patient.id}` },
    });
    expect(created.status).toBe(201);
    for (const level of ['$export', 'Patient/$export']) {
      const exported = await files(await poll(await start(server.base, level, [['_since', since]])));
      expect([...exported.entries()].map(([t, rs]) => rs.map((r) => `${t}/${r.id}`)).flat().sort()).toEqual([`Observation/${created.body.id}`, `Patient/${patient.id}`].sort());
    }
  });

  test('DELETE on the status URL cancels the job and removes its files; the status URL is then gone', async () => {
    const status = await start(server.base, '$export');
    const job = status.split('/').pop() as string;
    const cancelled = await fetch(status, { method: 'DELETE' });
    expect(cancelled.status).toBe(202);
    expect(existsSync(path.join(server.ctx.config.dataDir, 'exports', job))).toBe(false);
    const after = await fetch(status);
    expect(after.status).toBe(404);
    const outcome = (await after.json()) as { issue: { details: { text: string } }[] };
    expect(outcome.issue[0]?.details.text).toMatch(/没有这个导出任务.* \| No such export job/);

    // A completed job's files go too.
    const done = await start(server.base, '$export', [['_type', 'Patient']]);
    const manifest = await poll(done);
    expect((await fetch(manifest.output[0]!.url)).status).toBe(200);
    expect((await fetch(done, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(manifest.output[0]!.url)).status).toBe(404);
    expect(existsSync(path.join(server.ctx.config.dataDir, 'exports', done.split('/').pop() as string))).toBe(false);
  });

  test.each([
    ['no Prefer: respond-async', '$export', [], {}, 'export.respond-async-required', undefined],
    ['an unsupported _outputFormat', '$export', [['_outputFormat', 'application/fhir+json']], undefined, 'export.output-format', '_outputFormat'],
    ['an unknown _type', '$export', [['_type', 'Patient,Bogus']], undefined, 'export.type-unknown', '_type'],
    ['a type outside the Patient compartment', 'Patient/$export', [['_type', 'Organization']], undefined, 'export.type-not-in-compartment', '_type'],
    ['a _since that is not an instant', '$export', [['_since', '2024-01-01']], undefined, 'export.since-invalid', '_since'],
    ['a _typeFilter without a type', '$export', [['_typeFilter', 'code=1234-5']], undefined, 'export.type-filter-invalid', '_typeFilter'],
    ['a result parameter in _typeFilter', '$export', [['_typeFilter', 'Observation?_count=5']], undefined, 'export.type-filter-param', '_typeFilter'],
    ['an unknown search parameter in _typeFilter', '$export', [['_typeFilter', 'Observation?bogus=1']], undefined, undefined, undefined],
    ['an unknown parameter under handling=strict', '$export', [['patient', 'Patient/1']], { prefer: 'respond-async, handling=strict' }, 'export.param-unsupported', 'patient'],
    ['$export on an instance of Patient', 'Patient/x/$export', [], undefined, 'export.level-unsupported', undefined],
    ['$export on another type', 'Observation/$export', [], undefined, undefined, undefined],
  ] as [string, string, [string, string][], Record<string, string> | undefined, string | undefined, string | undefined][])(
    'kick-off with %s → 400 with a bilingual OperationOutcome',
    async (_name, target, params, headers, code, expression) => {
      const reply = await kickoff(server.base, target, params, headers ?? { prefer: 'respond-async' });
      expect(reply.status).toBe(400);
      const issue = firstIssue(reply);
      expect(issue.details.text).toMatch(/[\u4e00-\u9fff].* \| \S/);
      if (code) expect(issue.details.coding[0].code).toBe(code);
      if (expression) expect(issue.expression).toEqual([expression]);
    },
  );

  test('the CapabilityStatement lists $export at system level and on Patient and Group', async () => {
    const rest = (await call(server.base, 'GET', 'metadata')).body.rest[0];
    const names = (ops?: { name: string }[]) => (ops ?? []).map((o) => o.name);
    expect(names(rest.operation)).toContain('export');
    for (const type of ['Patient', 'Group']) expect(names(rest.resource.find((r: { type: string }) => r.type === type).operation)).toContain('export');
  });

  test('Group/{id}/$export of a missing group is 404', async () => {
    const reply = await kickoff(server.base, 'Group/no-such-group/$export');
    expect(reply.status).toBe(404);
  });

  test('POST kick-off with a Parameters body', async () => {
    const reply = await call(
      server.base,
      'POST',
      '$export',
      { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Patient' }, { name: '_outputFormat', valueString: 'ndjson' }] },
      { prefer: 'respond-async' },
    );
    expect(reply.status).toBe(202);
    const manifest = await poll(reply.headers.get('content-location') as string);
    expect(manifest.output).toEqual([expect.objectContaining({ type: 'Patient', count: patientIds.length })]);
  });

  test('status and file URLs refuse unknown jobs, unlisted files and path tricks', async () => {
    const status = await start(server.base, '$export', [['_type', 'Patient']]);
    await poll(status);
    for (const url of [`${status}/Observation.ndjson`, `${status}/..%2F..%2Fpglite`, `${status}/Patient.ndjson.bak`, `${server.url}/bulk/export/not-a-job`, `${server.url}/bulk/export/00000000-0000-0000-0000-000000000000/Patient.ndjson`]) {
      const res = await fetch(url);
      expect({ url, status: res.status }).toEqual({ url, status: 404 });
      expect(((await res.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    }
  });

  test(`finished jobs are removed with their files after ${RETENTION_HOURS} hours`, async () => {
    const status = await start(server.base, '$export', [['_type', 'Patient']]);
    await poll(status);
    const job = status.split('/').pop() as string;
    expect(existsSync(path.join(server.ctx.config.dataDir, 'exports', job))).toBe(true);
    await exportRunner(server.ctx).sweep();
    expect((await fetch(status)).status).toBe(200);
    await server.ctx.db.query(`UPDATE bulk_export SET finished_at = now() - make_interval(hours => $2) WHERE id = $1`, [job, RETENTION_HOURS + 1]);
    await exportRunner(server.ctx).sweep();
    expect((await fetch(status)).status).toBe(404);
    expect(existsSync(path.join(server.ctx.config.dataDir, 'exports', job))).toBe(false);
  });

  test('a job that fails (here: the export directory cannot be created) is reported failed without internals', async () => {
    const exports = path.join(server.ctx.config.dataDir, 'exports');
    await mkdir(exports, { recursive: true });
    await rename(exports, `${exports}.aside`);
    await writeFile(exports, 'not a directory');
    try {
      const status = await start(server.base, '$export', [['_type', 'Patient']]);
      let res = await fetch(status);
      for (let i = 0; res.status === 202 && i < 200; i++) {
        await new Promise((r) => setTimeout(r, 25));
        res = await fetch(status);
      }
      expect(res.status).toBe(500);
      const text = ((await res.json()) as { issue: { details: { text: string } }[] }).issue[0]?.details.text;
      expect(text).toMatch(/服务器内部错误.* \| Export job .* failed with an internal error/);
      expect(text).not.toMatch(/ENOTDIR|EEXIST|\/tmp\//);
    } finally {
      await rm(exports, { force: true });
      await rename(`${exports}.aside`, exports);
    }
  });

  test('a job whose process died (no heartbeat) is reported failed, in both languages', async () => {
    const id = '5f0c2b9e-1111-4222-8333-944455556666';
    await server.ctx.db.query(
      `INSERT INTO bulk_export (id, status, request, spec, transaction_time, requires_access_token, heartbeat)
       VALUES ($1, 'running', 'x', '{}', now(), false, now() - interval '10 minutes')`,
      [id],
    );
    const res = await fetch(`${server.url}/bulk/export/${id}`);
    expect(res.status).toBe(500);
    const outcome = (await res.json()) as { issue: { code: string; details: { text: string } }[] };
    expect(outcome.issue[0]?.code).toBe('transient');
    expect(outcome.issue[0]?.details.text).toMatch(/中断.* \| Export job .* was interrupted/);
  });
});

describe('bulk export with authorisation on', () => {
  const server = useAuthServer('postgres');
  test('a backend client exports with its token; the manifest, status and files need that token', async () => {
    const patient = await call(server.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ text: '导出' }] }, bearer((await backendToken(server, { scopes: 'system/Patient.cruds' })).accessToken));
    expect(patient.status).toBe(201);
    const { accessToken } = await backendToken(server, { scopes: 'system/Patient.rs' });
    expect((await kickoff(server.base, '$export', [['_type', 'Patient']])).status).toBe(401);
    const accepted = await kickoff(server.base, '$export', [['_type', 'Patient']], { prefer: 'respond-async', ...bearer(accessToken) });
    expect(accepted.status).toBe(202);
    const statusUrl = accepted.headers.get('content-location') as string;
    expect((await fetch(statusUrl)).status).toBe(401);
    let manifest: { requiresAccessToken: boolean; output: { type: string; url: string; count: number }[] } | undefined;
    for (let i = 0; i < 600 && !manifest; i++) {
      const res = await fetch(statusUrl, { headers: bearer(accessToken) });
      if (res.status === 200) manifest = (await res.json()) as typeof manifest;
      else if (res.status === 202) await new Promise((r) => setTimeout(r, 50));
      else throw new Error(`status answered ${res.status}`);
    }
    expect(manifest?.requiresAccessToken).toBe(true);
    expect(manifest?.output.map((o) => [o.type, o.count])).toEqual([['Patient', 1]]);
    const url = manifest?.output[0]?.url as string;
    expect((await fetch(url)).status).toBe(401);
    const file = await fetch(url, { headers: { accept: 'application/fhir+ndjson', ...bearer(accessToken) } });
    expect(file.status).toBe(200);
    expect((await file.text()).trim().split('\n').map((l) => (JSON.parse(l) as Json).id)).toEqual([patient.body.id]);
  });
});
