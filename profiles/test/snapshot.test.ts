import { loadPackage } from '../src/generate/package.js';

const pkg = loadPackage();

describe('generated StructureDefinitions', () => {
  it.each(pkg.structureDefinitions.map((sd) => [sd.id, sd] as const))('%s: snapshot holds every differential element, in R4 order, ids unique', (_, sd) => {
    const snapshot = sd.snapshot?.element ?? [];
    const ids = snapshot.map((e) => e.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const element of sd.differential?.element ?? []) {
      const merged = snapshot.find((e) => e.id === element.id);
      expect(merged).toBeDefined();
      expect(merged?.path).toBe(element.path);
      if (element.min !== undefined) expect(merged?.min).toBe(element.min);
      if (element.max !== undefined) expect(merged?.max).toBe(element.max);
    }
    // A child follows its parent: every element's parent path appears before it.
    for (const [i, element] of snapshot.entries()) {
      if (i === 0) continue;
      const parent = (element.id as string).slice(0, (element.id as string).lastIndexOf('.'));
      expect(ids.slice(0, i)).toContain(parent);
    }
    expect(sd.url).toBe(`https://qiao.health/fhir/StructureDefinition/${sd.id}`);
    expect(sd.fhirVersion).toBe('4.0.1');
  });

  it('places a slice after the whole subtree of the element it slices', () => {
    const ids = (pkg.structureDefinitions.find((sd) => sd.id === 'cn-patient')?.snapshot?.element ?? []).map((e) => e.id);
    const lastBaseChild = ids.indexOf('Patient.identifier.assigner');
    expect(lastBaseChild).toBeGreaterThan(0);
    expect(ids[lastBaseChild + 1]).toBe('Patient.identifier:residentId');
    expect(ids).toContain('Patient.identifier:outpatientNo.assigner');
    expect(ids).toContain('Patient.address.extension:division');
  });

  it('describes itself as a FHIR package for R4', () => {
    expect(pkg.manifest).toMatchObject({ name: 'qiao.fhir.cn', fhirVersions: ['4.0.1'], canonical: 'https://qiao.health/fhir' });
  });
});
