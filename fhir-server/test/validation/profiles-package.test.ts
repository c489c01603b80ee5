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

  it('the seed declares the CN profile on every Patient, Practitioner and Organization, and satisfies it', () => {
    const resources = [...generateDataset({ patients: 60, seed: 'profiles' })].flatMap((bundle) => bundle.entry ?? []).map((entry) => entry.resource as Resource);
    const profiled = { Patient: 'cn-patient', Practitioner: 'cn-practitioner', Organization: 'cn-organization' } as Record<string, string>;
    const checked = resources.filter((resource) => profiled[resource.resourceType]);
    expect(checked.filter((r) => r.resourceType === 'Patient')).toHaveLength(60);
    expect(checked.length).toBeGreaterThan(60);
    for (const resource of checked) {
      expect(resource.meta?.profile).toEqual([`https://qiao.health/fhir/StructureDefinition/${profiled[resource.resourceType]}`]);
      // The seed's bundles are transactions, which resolve conditional references.
      expect(validateResource(resource, { allowConditionalReferences: true }).filter(isError)).toEqual([]);
    }
  });
});
