import { jest } from '@jest/globals';
import { loadPackage } from '@qiao/profiles';
import { installProfiles } from '../../src/validation/install.js';
import { call, firstIssue } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

// Starting a server on a fresh PGlite database (and storing the package) takes longer than jest's default when run from the root.
jest.setTimeout(120_000);

const CN = 'https://qiao.health/fhir/StructureDefinition/';
const pkg = loadPackage();
const example = (file: string) => structuredClone(pkg.examples.find((e) => e.file === file)?.resource) as Record<string, unknown>;

/** The rule ids and expressions of an OperationOutcome's issues. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const found = (outcome: any) => outcome.issue.map((i: any) => ({ id: i.details?.coding?.[0]?.code, expression: i.expression?.[0] }));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const problems = (outcome: any) => outcome.issue.filter((i: any) => i.severity !== 'information');

describe.each(BACKENDS)('CN profiles through the REST API (%s)', (backend) => {
  const server = useTestServer(backend, { installProfiles: true });

  it('rejects a write that declares cn-patient and breaks it, with every issue in Chinese and English', async () => {
    const patient = example('valid/Patient-minimal.json');
    patient.birthDate = '1985-03-13';
    (patient.identifier as { value: string }[])[0]!.value = '510105198503121230';
    const reply = await call(server.base, 'POST', 'Patient', patient);
    expect(reply.status).toBe(400);
    expect(found(reply.body)).toEqual(expect.arrayContaining([{ id: 'cn-pid-1', expression: 'Patient.identifier[0].value' }]));
    const issue = firstIssue(reply);
    expect(issue.details.text).toMatch(/^[^|]*[\u4e00-\u9fff][^|]* \| [A-Za-z]/);
  });

  it('stores a Patient with a resident ID, name, sex and birth date', async () => {
    const reply = await call(server.base, 'POST', 'Patient', example('valid/Patient-minimal.json'));
    expect(reply.status).toBe(201);
  });

  it('checks national code bindings against the terminology service: an unknown GB/T 3304 ethnicity is an error', async () => {
    const patient = example('valid/Patient-full.json');
    (patient.extension as { valueCoding: { code: string } }[])[0]!.valueCoding.code = '77';
    const reply = await call(server.base, 'POST', 'Patient', patient);
    expect(reply.status).toBe(400);
    expect(found(reply.body)).toContainEqual({ id: 'cn-binding-required', expression: 'Patient.extension[0].valueCoding' });
  });

  it('ignores on write a profile it does not hold, and reports it in $validate', async () => {
    const patient = { ...example('valid/Patient-minimal.json'), meta: { profile: ['http://example.org/StructureDefinition/other'] } };
    expect((await call(server.base, 'POST', 'Patient', patient)).status).toBe(201);
    const reply = await call(server.base, 'POST', 'Patient/$validate', patient);
    expect(reply.status).toBe(200);
    expect(found(reply.body)).toContainEqual({ id: 'cn-profile-unknown', expression: 'Patient.meta.profile[0]' });
  });

  it.each(pkg.examples.filter((e) => e.valid).map((e) => [e.file, e] as const))('$validate passes the package example %s (R4 and profile)', async (_, e) => {
    const reply = await call(server.base, 'POST', `${e.resource.resourceType}/$validate`, e.resource);
    expect(reply.status).toBe(200);
    expect(problems(reply.body)).toEqual([]);
  });

  it.each(pkg.examples.filter((e) => !e.valid).map((e) => [e.file, e] as const))('$validate reports the issue of %s', async (_, e) => {
    const reply = await call(server.base, 'POST', `${e.resource.resourceType}/$validate`, e.resource);
    expect(reply.status).toBe(200);
    expect(found(reply.body)).toContainEqual(e.expect);
  });

  it('$validate takes a Parameters body with profile and mode', async () => {
    const patient = { ...example('valid/Patient-minimal.json'), meta: undefined, gender: 'female' };
    const parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'resource', resource: patient },
        { name: 'mode', valueCode: 'create' },
        { name: 'profile', valueUri: `${CN}cn-patient` },
      ],
    };
    const reply = await call(server.base, 'POST', 'Patient/$validate', parameters);
    expect(reply.status).toBe(200);
    expect(found(reply.body)).toEqual([{ id: 'cn-pat-2', expression: 'Patient' }]);
    expect(reply.body.issue[0].details.text).toContain('性别');
  });

  it('Patient/{id}/$validate checks the stored resource against a profile given in the query', async () => {
    const plain = { resourceType: 'Patient', name: [{ text: '无证件' }], gender: 'male', birthDate: '1990-01-01' };
    const created = await call(server.base, 'POST', 'Patient', plain);
    expect(created.status).toBe(201);
    const reply = await call(server.base, 'POST', `Patient/${created.body.id}/$validate?profile=${encodeURIComponent(`${CN}cn-patient`)}`);
    expect(reply.status).toBe(200);
    expect(found(reply.body)).toEqual([{ id: 'cn-min', expression: 'Patient.identifier' }]);
    const valid = await call(server.base, 'GET', `Patient/${created.body.id}/$validate`);
    expect(valid.body.issue).toEqual([expect.objectContaining({ severity: 'information' })]);
  });

  it('$validate in update mode wants the id of the request; delete mode wants an existing resource; other modes are refused', async () => {
    const created = await call(server.base, 'POST', 'Patient', example('valid/Patient-minimal.json'));
    const update = await call(server.base, 'POST', `Patient/${created.body.id}/$validate?mode=update`, { ...created.body, id: 'other' });
    expect(found(update.body)).toContainEqual({ id: 'VAL-UPDATE-ID', expression: 'Patient.id' });
    const remove = await call(server.base, 'POST', `Patient/${created.body.id}/$validate?mode=delete`);
    expect(remove.status).toBe(200);
    expect((await call(server.base, 'POST', 'Patient/missing/$validate?mode=delete')).status).toBe(404);
    const bad = await call(server.base, 'POST', 'Patient/$validate?mode=merge', example('valid/Patient-minimal.json'));
    expect(bad.status).toBe(400);
    expect(firstIssue(bad).expression).toEqual(['mode']);
  });

  it('publishes the package at /StructureDefinition and its value sets, once however often it is installed', async () => {
    await installProfiles(server.ctx, server.logger);
    const search = await call(server.base, 'GET', `StructureDefinition?url=${encodeURIComponent(`${CN}cn-patient`)}`);
    expect(search.status).toBe(200);
    expect(search.body.entry).toHaveLength(1);
    const definition = search.body.entry[0].resource;
    expect(definition.snapshot.element.length).toBeGreaterThan(definition.differential.element.length);
    expect(definition.meta.versionId).toBe('1');
    const byType = await call(server.base, 'GET', 'StructureDefinition?type=Observation&_count=50');
    expect(byType.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual(['cn-observation-ecg', 'cn-observation-lab', 'cn-observation-vital-signs']);
    const valueSet = await call(server.base, 'GET', `ValueSet?url=${encodeURIComponent('https://qiao.health/fhir/ValueSet/cn-ethnicity')}`);
    expect(valueSet.body.entry).toHaveLength(1);
  });

  it('lists the profiles in the CapabilityStatement', async () => {
    const reply = await call(server.base, 'GET', 'metadata');
    const patient = reply.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patient.supportedProfile).toEqual([`${CN}cn-patient`]);
    const operations = reply.body.rest[0].operation.map((o: { name: string }) => o.name);
    expect(operations).toContain('validate');
  });
});
