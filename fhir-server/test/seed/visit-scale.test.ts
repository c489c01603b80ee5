import type { Bundle } from '@medplum/fhirtypes';
import { patientBundles } from '../../src/seed/index.js';

const serialise = (options: Parameters<typeof patientBundles>[0]) => [...patientBundles(options)].map((b) => JSON.stringify(b));
const entries = (bundles: string[]) => bundles.reduce((n, b) => n + ((JSON.parse(b) as Bundle).entry?.length ?? 0), 0);

describe('patientBundles visitScale', () => {
  it('draws exactly the default dataset at 1', () => {
    expect(serialise({ patients: 40, seed: 'scale', visitScale: 1 })).toEqual(serialise({ patients: 40, seed: 'scale' }));
  });

  it('multiplies the visits, hence the clinical resources, and keeps one Patient per bundle', () => {
    const base = serialise({ patients: 200, seed: 'scale' });
    const dense = serialise({ patients: 200, seed: 'scale', visitScale: 4 });
    const encounters = (bundles: string[]) => bundles.join('').split('"resourceType":"Encounter"').length - 1;
    const ratio = encounters(dense) / encounters(base);
    expect(ratio).toBeGreaterThan(3.8);
    expect(ratio).toBeLessThan(4.2);
    expect(entries(dense)).toBeGreaterThan(3 * entries(base));
    for (const b of dense) expect((JSON.parse(b) as Bundle).entry?.[0]?.resource?.resourceType).toBe('Patient');
    // A smaller dataset is still a prefix of a larger one.
    expect(serialise({ patients: 50, seed: 'scale', visitScale: 4 })).toEqual(dense.slice(0, 50));
  });

  it('rejects a scale that is not a positive number', () => {
    for (const visitScale of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => patientBundles({ patients: 1, visitScale })).toThrow(RangeError);
  });
});
