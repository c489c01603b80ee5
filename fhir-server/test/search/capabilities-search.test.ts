import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call } from '../support/http.js';

/**
 * The CapabilityStatement is generated from the search-parameter registry, so everything it lists
 * must work: each parameter it names for a type is accepted by a search of that type.
 */

interface SearchParam {
  name: string;
  type: string;
  definition?: string;
}

interface RestResource {
  type: string;
  searchParam?: SearchParam[];
  searchInclude?: string[];
  searchRevInclude?: string[];
}

/** Parameters whose form is not `name=value` of a type: `_has:…`, `_list`, `_text`/`_content` (free text). */
const SPECIAL = new Set(['_list', '_has', '_text', '_content']);

/** A well-formed value of each parameter type, which must be accepted (it need not match anything). */
const SAMPLE: Record<string, string> = {
  string: '张',
  token: 'http://loinc.org|8480-6',
  date: 'ge2024-01-01',
  number: 'gt1',
  quantity: 'lt5.4|http://unitsofmeasure.org|mg',
  reference: 'Patient/pat-none',
  uri: 'http://qiao.health/fhir/nothing',
};

describe.each(BACKENDS)('CapabilityStatement search parameters on %s', (backend) => {
  const server = useTestServer(backend);
  let resources: RestResource[] = [];
  const resource = (type: string): RestResource => {
    const found = resources.find((r) => r.type === type);
    if (!found) throw new Error(`${type} not in the CapabilityStatement`);
    return found;
  };
  const param = (type: string, name: string) => resource(type).searchParam?.find((p) => p.name === name);

  beforeAll(async () => {
    const r = await call(server.base, 'GET', 'metadata');
    expect(r.status).toBe(200);
    resources = r.body.rest[0].resource as RestResource[];
    // Something to search over, so that accepted searches also run against index rows.
    await call(server.base, 'PUT', 'Patient/cap-p', {
      resourceType: 'Patient',
      id: 'cap-p',
      identifier: [{ system: 'urn:oid:2.16.156.10011.1.1', value: '110105198006150015' }],
      name: [{ text: '张伟', family: '张', given: ['伟'] }],
      gender: 'male',
      birthDate: '1980-06-15',
    });
    await call(server.base, 'PUT', 'Observation/cap-o', {
      resourceType: 'Observation',
      id: 'cap-o',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '85354-6' }] },
      subject: { reference: 'Patient/cap-p' },
      component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }],
    });
  });

  it('lists Patient name, birthdate, identifier and gender with their types', () => {
    expect(param('Patient', 'name')).toMatchObject({ name: 'name', type: 'string', definition: 'http://hl7.org/fhir/SearchParameter/Patient-name' });
    expect(param('Patient', 'birthdate')).toMatchObject({ type: 'date' });
    expect(param('Patient', 'identifier')).toMatchObject({ type: 'token' });
    expect(param('Patient', 'gender')).toMatchObject({ type: 'token' });
    expect(param('Patient', 'organization')).toMatchObject({ type: 'reference' });
    expect(param('Patient', '_id')).toMatchObject({ type: 'token' });
    expect(param('Patient', '_lastUpdated')).toMatchObject({ type: 'date' });
    // Not a Patient parameter in R4.
    expect(param('Patient', 'code')).toBeUndefined();
  });

  it('lists Observation composites and quantities with their types', () => {
    expect(param('Observation', 'code-value-quantity')).toMatchObject({ type: 'composite' });
    expect(param('Observation', 'component-code-value-quantity')).toMatchObject({ type: 'composite' });
    expect(param('Observation', 'value-quantity')).toMatchObject({ type: 'quantity' });
    expect(param('Observation', 'date')).toMatchObject({ type: 'date' });
    expect(param('Observation', 'subject')).toMatchObject({ type: 'reference' });
  });

  it('lists includes and reverse includes', () => {
    expect(resource('Observation').searchInclude).toEqual(expect.arrayContaining(['Observation:subject', 'Observation:performer', 'Observation:encounter']));
    expect(resource('Patient').searchRevInclude).toEqual(expect.arrayContaining(['Observation:subject', 'Encounter:subject']));
    expect(resource('Medication').searchRevInclude).toContain('MedicationRequest:medication');
  });

  it.each(['Patient', 'Observation'])('every parameter listed for %s takes :missing', async (type) => {
    const names = (resource(type).searchParam ?? []).map((p) => p.name).filter((name) => !SPECIAL.has(name));
    expect(names.length).toBeGreaterThan(10);
    const refused: string[] = [];
    const inconsistent: string[] = [];
    for (const name of names) {
      const totals: number[] = [];
      for (const value of ['true', 'false']) {
        const r = await call(server.base, 'GET', `${type}?${name}:missing=${value}`);
        if (r.status !== 200) refused.push(`${name}:missing=${value} → ${r.status} ${String(r.body?.issue?.[0]?.diagnostics ?? '')}`);
        else totals.push(r.body.total as number);
      }
      // There is one resource of the type: it either has a value for the parameter or it does not.
      const [whenMissing = 0, whenPresent = 0] = totals;
      if (totals.length === 2 && whenMissing + whenPresent !== 1) inconsistent.push(`${name}: missing=true ${whenMissing}, missing=false ${whenPresent}`);
    }
    expect({ refused, inconsistent }).toEqual({ refused: [], inconsistent: [] });
  });

  it.each(['Patient', 'Observation', 'Encounter', 'DiagnosticReport', 'Condition', 'MedicationRequest', 'Organization', 'Practitioner'])(
    'every non-composite parameter listed for %s takes a value of its type',
    async (type) => {
      const refused: string[] = [];
      for (const p of resource(type).searchParam ?? []) {
        const value = SAMPLE[p.type];
        if (SPECIAL.has(p.name) || value === undefined) continue;
        const r = await call(server.base, 'GET', `${type}?${p.name}=${encodeURIComponent(value)}`);
        if (r.status !== 200) refused.push(`${p.name} (${p.type}) → ${r.status} ${String(r.body?.issue?.[0]?.diagnostics ?? '')}`);
      }
      expect(refused).toEqual([]);
    },
  );

  it('the special parameters it lists work too', async () => {
    for (const query of ['Patient?_list=none', 'Patient?_has:Observation:subject:code=85354-6', 'Patient?_text=张', 'Patient?_content=张']) {
      const r = await call(server.base, 'GET', query);
      expect({ query, status: r.status }).toEqual({ query, status: 200 });
    }
    const has = await call(server.base, 'GET', 'Patient?_has:Observation:subject:code=85354-6');
    expect(has.body.total).toBe(1);
  });

  it('every listed include of Observation and reverse include of Patient is accepted', async () => {
    const refused: string[] = [];
    for (const spec of resource('Observation').searchInclude ?? []) {
      const r = await call(server.base, 'GET', `Observation?_include=${spec}`);
      if (r.status !== 200) refused.push(`_include=${spec} → ${r.status}`);
    }
    for (const spec of resource('Patient').searchRevInclude ?? []) {
      const r = await call(server.base, 'GET', `Patient?_revinclude=${spec}`);
      if (r.status !== 200) refused.push(`_revinclude=${spec} → ${r.status}`);
    }
    expect(refused).toEqual([]);
    const one = await call(server.base, 'GET', 'Patient?_id=cap-p&_revinclude=Observation:subject');
    expect(one.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual(['cap-o', 'cap-p']);
  });

  it('lists the system-level parameters, _type among them, and they work', async () => {
    const r = await call(server.base, 'GET', 'metadata');
    const system = r.body.rest[0].searchParam as SearchParam[];
    expect(system.map((p) => p.name)).toEqual(expect.arrayContaining(['_id', '_lastUpdated', '_tag', '_type']));
    for (const p of system) {
      if (SPECIAL.has(p.name) || p.name === '_type') continue;
      const value = SAMPLE[p.type];
      if (value === undefined) continue;
      const s = await call(server.base, 'GET', `?${p.name}=${encodeURIComponent(value)}`);
      expect({ name: p.name, status: s.status }).toEqual({ name: p.name, status: 200 });
    }
    expect((await call(server.base, 'GET', '?_type=Patient,Observation')).body.total).toBe(2);
  });
});
