import { baseSearchParameters, baseValueSet, isKnownResourceType, resourceTypes } from '../../src/definitions/r4.js';

describe('R4 base definitions', () => {
  it('lists the concrete resource types of R4 4.0.1 only', () => {
    expect(resourceTypes()).toContain('Bundle');
    expect(resourceTypes()).not.toContain('SubscriptionStatus');
    expect(isKnownResourceType('Patient')).toBe(true);
    expect(isKnownResourceType('Resource')).toBe(false);
    expect(isKnownResourceType('Foo')).toBe(false);
  });
  it('loads search parameters and value sets', () => {
    expect(baseSearchParameters().find((sp) => sp.id === 'Patient-identifier')?.type).toBe('token');
    expect(baseValueSet('http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1')?.compose?.include?.[0]?.system).toBe(
      'http://hl7.org/fhir/administrative-gender',
    );
  });
});
