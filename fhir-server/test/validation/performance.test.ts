import { performance } from 'node:perf_hooks';
import { validateResource } from '../../src/validation/validate.js';

const patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { lastUpdated: '2024-01-01T00:00:00Z' },
  identifier: [{ system: 'urn:oid:2.16.156.10011.1.1', value: '110101199001011234' }],
  active: true,
  name: [{ use: 'official', family: '张', given: ['三'] }],
  telecom: [{ system: 'phone', value: '13800138000', use: 'mobile' }],
  gender: 'male',
  birthDate: '1990-01-01',
  address: [{ use: 'home', city: '北京市', line: ['东长安街1号'] }],
  managingOrganization: { reference: 'Organization/1' },
};

const observation = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }], text: '心率' },
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2024-01-01T10:00:00+08:00',
  valueQuantity: { value: 72, unit: 'beats/min', system: 'http://unitsofmeasure.org', code: '/min' },
};

function microsecondsPerValidation(resource: unknown): number {
  for (let i = 0; i < 500; i++) validateResource(resource);
  const runs = 2000;
  const start = performance.now();
  for (let i = 0; i < runs; i++) validateResource(resource);
  return ((performance.now() - start) * 1000) / runs;
}

describe('validation cost', () => {
  // A guard against regressions such as a pass over every element of a definition or a value set
  // expanded on every call. Measured here, inside jest's vm context, where enumerating an object's
  // keys is several times slower than in a plain Node process, a typical Patient takes ~30–50 µs
  // and an Observation ~40–60 µs (plain Node: ~4 and ~11 µs); the medplum structure check this
  // replaced took 300–450 µs here. The bound leaves room for slow or busy CI machines.
  it.each([
    ['Patient', patient],
    ['Observation', observation],
  ])('a typical %s validates in under 200 µs', (_, resource) => {
    expect(validateResource(resource)).toEqual([]);
    expect(microsecondsPerValidation(resource)).toBeLessThan(200);
  });
});
