import type { AuditEvent } from '@medplum/fhirtypes';
import { auditLog } from '../../src/audit/index.js';
import { migrations } from '../../src/schema/migrations.js';
import { derivedReferences } from '../../src/search/derived-references.js';
import { call, type Reply } from '../support/http.js';
import { BACKENDS, useTestServer } from '../support/test-server.js';

/**
 * Derived reference parameters (src/search/derived-references.ts): `Observation.patient` is
 * `subject` where it is a Patient, AuditEvent's `patient` the Patient references among `agent` and
 * `entity`. The writer keeps no rows their sources repeat; every reader — filters, `:missing`,
 * chains, `_has`, `_include`, `_revinclude`, compartments — finds the same resources as when the
 * rows were stored, and migration 23 removes the stored ones without changing any answer.
 */

describe('which reference parameters are derived', () => {
  it('follows the definitions', () => {
    expect(derivedReferences('Observation').get('patient')).toEqual({ sources: ['subject'], targetType: 'Patient' });
    expect(derivedReferences('#Observation').get('patient')).toEqual({ sources: ['subject'], targetType: 'Patient' });
    expect(derivedReferences('AuditEvent').get('patient')).toEqual({ sources: ['agent', 'entity'], targetType: 'Patient' });
    expect(derivedReferences('Encounter').get('practitioner')).toEqual({ sources: ['participant'], targetType: 'Practitioner' });
    // A source and a parameter read as written are not derived; nor is one of another shape.
    expect(derivedReferences('Observation').has('subject')).toBe(false);
    expect(derivedReferences('AllergyIntolerance').has('patient')).toBe(false);
    expect(derivedReferences('Patient').size).toBe(0);
  });
});

const ids = (r: Reply): string[] => ((r.body?.entry ?? []) as { resource: { resourceType: string; id: string } }[]).map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort();

const RESOURCES = [
  { resourceType: 'Patient', id: 'dp1' },
  { resourceType: 'Patient', id: 'dp2' },
  { resourceType: 'Group', id: 'dg1', type: 'person', actual: true },
  { resourceType: 'Observation', id: 'do1', status: 'final', code: { text: 'a' }, subject: { reference: 'Patient/dp1' } },
  { resourceType: 'Observation', id: 'do2', status: 'final', code: { text: 'b' }, subject: { reference: 'Group/dg1' } },
  { resourceType: 'Observation', id: 'do3', status: 'amended', code: { text: 'c' }, subject: { reference: 'Patient/dp2' } },
  { resourceType: 'Encounter', id: 'de1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/dp1' } },
];

// Written as the server writes its records (no client may): the server's own records of these
// searches are left out of the answers by `_id`.
const AUDIT: AuditEvent = {
  resourceType: 'AuditEvent',
  id: 'da1',
  type: { code: 'rest' },
  recorded: '2026-12-07T08:00:00Z',
  source: { observer: { display: 'test' } },
  agent: [{ who: { reference: 'Patient/dp2' }, requestor: true }],
  entity: [{ what: { reference: 'Patient/dp1' } }, { what: { reference: 'Observation/do1' } }],
};
const OWN = ['do1', 'do2', 'do3', 'de1', 'da1'];

const QUERIES = [
  '/Observation?patient=dp1',
  '/Observation?patient=Patient/dp2',
  '/Observation?patient=dg1',
  '/Observation?subject=Group/dg1',
  '/Observation?patient:missing=true',
  '/Observation?patient:missing=false',
  '/Observation?patient:Patient._id=dp1',
  '/Observation?_include=Observation:patient',
  '/Patient?_revinclude=Observation:patient',
  '/Patient?_has:Observation:patient:status=final',
  '/Patient/dp1/Observation',
  '/Patient/dp1/Encounter',
  '/Encounter?patient=dp1',
  '/AuditEvent?patient=dp1&_id=da1',
  '/AuditEvent?patient=dp2&_id=da1',
  '/AuditEvent?patient=do1&_id=da1',
  '/AuditEvent?entity=Observation/do1&_id=da1',
  '/Patient/dp2/AuditEvent?_id=da1',
];

describe.each(BACKENDS)('derived reference parameters on %s', (backend) => {
  const server = useTestServer(backend);
  const answers = async () => {
    const out: Record<string, string[]> = {};
    for (const query of QUERIES) {
      const reply = await call(server.base, 'GET', query);
      expect(reply.status).toBe(200);
      out[query] = ids(reply);
    }
    return out;
  };
  const storedRows = async (param: string) =>
    (await server.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM search_reference WHERE param = $1 AND id = ANY($2::text[])`, [param, OWN]))[0]?.n;

  beforeAll(async () => {
    for (const resource of RESOURCES) expect((await call(server.base, 'PUT', `/${resource.resourceType}/${resource.id}`, resource)).status).toBe(201);
    await auditLog(server.ctx).write([AUDIT]);
  });

  it('keeps no rows the sources repeat, and reads the sources instead', async () => {
    expect(await storedRows('patient')).toBe(0);
    expect(await storedRows('subject')).toBe(4);
    const found = await answers();
    expect(found['/Observation?patient=dp1']).toEqual(['Observation/do1']);
    expect(found['/Observation?patient=Patient/dp2']).toEqual(['Observation/do3']);
    expect(found['/Observation?patient=dg1']).toEqual([]);
    expect(found['/Observation?subject=Group/dg1']).toEqual(['Observation/do2']);
    expect(found['/Observation?patient:missing=true']).toEqual(['Observation/do2']);
    expect(found['/Observation?patient:missing=false']).toEqual(['Observation/do1', 'Observation/do3']);
    expect(found['/Observation?patient:Patient._id=dp1']).toEqual(['Observation/do1']);
    expect(found['/Observation?_include=Observation:patient']).toEqual(['Observation/do1', 'Observation/do2', 'Observation/do3', 'Patient/dp1', 'Patient/dp2']);
    expect(found['/Patient?_revinclude=Observation:patient']).toEqual(['Observation/do1', 'Observation/do3', 'Patient/dp1', 'Patient/dp2']);
    expect(found['/Patient?_has:Observation:patient:status=final']).toEqual(['Patient/dp1']);
    expect(found['/Patient/dp1/Observation']).toEqual(['Observation/do1']);
    expect(found['/Patient/dp1/Encounter']).toEqual(['Encounter/de1']);
    expect(found['/Encounter?patient=dp1']).toEqual(['Encounter/de1']);
    expect(found['/AuditEvent?patient=dp1&_id=da1']).toEqual(['AuditEvent/da1']);
    expect(found['/AuditEvent?patient=dp2&_id=da1']).toEqual(['AuditEvent/da1']);
    expect(found['/AuditEvent?patient=do1&_id=da1']).toEqual([]);
    expect(found['/AuditEvent?entity=Observation/do1&_id=da1']).toEqual(['AuditEvent/da1']);
    expect(found['/Patient/dp2/AuditEvent?_id=da1']).toEqual(['AuditEvent/da1']);
  });

  it('answers the same with the rows stored as before, and after migration 23 removes them', async () => {
    const before = await answers();
    // As the writer stored them until migration 23: each Patient row of a source again under `patient`.
    await server.ctx.db.exec(`
      INSERT INTO search_reference (resource_type, id, param, target_type, target_id, url, grp)
      SELECT resource_type, id, 'patient', target_type, target_id, url, grp FROM search_reference
      WHERE resource_type IN ('Observation', 'Encounter') AND param = 'subject' AND target_type = 'Patient';
      INSERT INTO search_reference (resource_type, id, param, target_type, target_id, url, grp)
      SELECT DISTINCT resource_type, id, 'patient', target_type, target_id, url, grp FROM search_reference
      WHERE resource_type = 'AuditEvent' AND param IN ('agent', 'entity') AND target_type = 'Patient';
      -- A row no source repeats (a conditional reference names no target id): it stays.
      INSERT INTO search_reference (resource_type, id, param, target_type, target_id, url, grp)
      VALUES ('Observation', 'do2', 'patient', NULL, NULL, 'Patient?identifier=x', NULL);`);
    expect(await storedRows('patient')).toBe(6);
    const withRows = await answers();
    const conditional = (found: Record<string, string[]>) => ({ ...found, '/Observation?patient:missing=true': [], '/Observation?patient:missing=false': ['Observation/do1', 'Observation/do2', 'Observation/do3'] });
    expect(withRows).toEqual(conditional(before));
    await server.ctx.db.exec(migrations.find((m) => m.version === 23)?.sql ?? 'fail');
    expect(await storedRows('patient')).toBe(1);
    expect(await answers()).toEqual(withRows);
  });
});
