import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import type { CompactElement, CompactProfile } from '../definitions/compact.js';
import { CANONICAL, PACKAGE_VERSION, sd } from '../systems.js';
import { generateSnapshot } from './snapshot.js';

const R4 = 'http://hl7.org/fhir/StructureDefinition/';

/**
 * The StructureDefinition of an authored profile or extension, with its differential and (unless
 * `withSnapshot` is false: validation reads only the differential) its snapshot.
 */
export function structureDefinition(profile: CompactProfile, withSnapshot = true): StructureDefinition {
  const differential = profile.elements.map(differentialElement);
  const isExtension = profile.type === 'Extension';
  return {
    resourceType: 'StructureDefinition',
    id: profile.id,
    url: sd(profile.id),
    version: PACKAGE_VERSION,
    name: profile.name,
    title: profile.title,
    status: 'active',
    publisher: CANONICAL,
    description: profile.description,
    fhirVersion: '4.0.1',
    kind: isExtension ? 'complex-type' : 'resource',
    abstract: false,
    ...(profile.context ? { context: profile.context } : {}),
    type: profile.type,
    baseDefinition: `${R4}${profile.type}`,
    derivation: 'constraint',
    ...(withSnapshot ? { snapshot: { element: generateSnapshot(profile.type, differential) } } : {}),
    differential: { element: differential },
  };
}

/** `Patient.identifier:residentId.value` → path `Patient.identifier.value`; the last segment's slice name becomes `sliceName`. */
function differentialElement(element: CompactElement): ElementDefinition {
  const { id, ...rest } = element;
  const last = id.slice(id.lastIndexOf('.') + 1);
  const colon = last.indexOf(':');
  return {
    id,
    path: id.replace(/:[^.]+/g, ''),
    ...(colon >= 0 ? { sliceName: last.slice(colon + 1) } : {}),
    ...rest,
  };
}
