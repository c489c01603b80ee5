import { jest } from '@jest/globals';
import type { Resource } from '@medplum/fhirtypes';
import { loadPackage, packageResources } from '@qiao/profiles';
import { generateDataset } from '../../src/seed/index.js';
import { isError, validateResource } from '../../src/validation/validate.js';

jest.setTimeout(120_000);

describe('the CN profile package as the server validates it', () => {
  it.each(packageResources(loadPackage()).map((r) => [`${r.resourceType}/${r.id}`, r] as const))('%s is valid R4', (_, resource) => {
    expect(validateResource(resource)).toEqual([]);
  });

  it('the seed declares cn-patient on every Patient and satisfies it', () => {
    const patients = [...generateDataset({ patients: 60, seed: 'profiles' })]
      .flatMap((bundle) => bundle.entry ?? [])
      .map((entry) => entry.resource as Resource)
      .filter((resource) => resource.resourceType === 'Patient');
    expect(patients.length).toBe(60);
    for (const patient of patients) {
      expect(patient.meta?.profile).toEqual(['https://qiao.health/fhir/StructureDefinition/cn-patient']);
      // The seed's bundles are transactions, which resolve conditional references.
      expect(validateResource(patient, { allowConditionalReferences: true }).filter(isError)).toEqual([]);
    }
  });
});
