import { readFileSync } from 'node:fs';
import type { CodeSystem, CodeSystemConcept } from '@medplum/fhirtypes';
import { NATIONAL, shippedContent } from '@qiao/terminology';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';

const ETHNICITY = NATIONAL.ethnicity;
const minimal = JSON.parse(readFileSync(new URL('../../../profiles/examples/valid/Patient-minimal.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function patient(ethnicity: string): Record<string, unknown> {
  return { ...minimal, extension: [{ url: 'https://qiao.health/fhir/StructureDefinition/ethnicity', valueCoding: { system: ETHNICITY, code: ethnicity } }] };
}

/** A hospital's newer edition of GB/T 3304: one code retired (蒙古族 02), one added. */
function newEdition(): CodeSystem {
  const shipped = shippedContent().find((r) => r.resourceType === 'CodeSystem' && r.url === ETHNICITY) as CodeSystem;
  const edition = JSON.parse(JSON.stringify(shipped)) as CodeSystem;
  delete edition.id;
  edition.version = '2026-test';
  edition.concept = (edition.concept ?? []).map((c): CodeSystemConcept => (c.code === '02' ? { ...c, property: [...(c.property ?? []), { code: 'status', valueCode: 'retired' }] } : c));
  edition.concept.push({ code: 'T1', display: '测试民族' });
  return edition;
}

describe.each(BACKENDS)('CN profile bindings use the database terminology service on %s', (backend) => {
  const server = useTestServer(backend);

  it('refuses a code outside the national system, and accepts one that is in it', async () => {
    const refused = await call(server.base, 'POST', 'Patient', patient('X7'));
    expect(refused.status).toBe(400);
    const issue = firstIssue(refused);
    expect(issue.expression).toEqual(['Patient.extension[0].valueCoding']);
    expect(issue.details.text).toMatch(/[\u4e00-\u9fff].* \| .*[a-z]/);
    expect((await call(server.base, 'POST', 'Patient', patient('01'))).status).toBe(201);
    const validated = await call(server.base, 'POST', 'Patient/$validate', patient('X7'));
    expect(validated.body.issue.filter((i: { severity: string }) => i.severity === 'error').map((i: { expression: string[] }) => i.expression)).toEqual([['Patient.extension[0].valueCoding']]);
    // A code only a stored edition has is not known yet.
    expect((await call(server.base, 'POST', 'Patient', patient('T1'))).status).toBe(400);
  });

  it('a stored new edition counts: its new code is accepted, its retired code refused in new data only', async () => {
    const before = await call(server.base, 'POST', 'Patient', patient('02'));
    expect(before.status).toBe(201);
    expect((await call(server.base, 'POST', 'CodeSystem', newEdition())).status).toBe(201);

    expect((await call(server.base, 'POST', 'Patient', patient('T1'))).status).toBe(201);
    const validated = await call(server.base, 'POST', 'Patient/$validate', patient('T1'));
    expect(validated.body.issue.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);

    const retired = await call(server.base, 'POST', 'Patient', patient('02'));
    expect(retired.status).toBe(422);
    const issue = firstIssue(retired);
    expect(issue.details.text).toContain(`代码 ${ETHNICITY}|02 已停用`);
    expect(issue.details.text).toContain('is retired');
    expect(issue.expression).toEqual(['Patient.extension[0].valueCoding']);

    // Stored data with the code stays readable and can be updated.
    const stored = await call(server.base, 'GET', `Patient/${before.body.id}`);
    expect(stored.status).toBe(200);
    expect((await call(server.base, 'PUT', `Patient/${before.body.id}`, { ...stored.body, active: true })).status).toBe(200);
  });
});
