import { packageResources, type FhirPackage } from './package.js';

/**
 * The FHIR package as files (path below `profiles/package/` → text): its manifest, every
 * StructureDefinition with differential and snapshot, the value sets and code systems, and the
 * examples — the layout FHIR tooling (IG publisher, validators, `fhir install`) reads.
 */
export function packageFiles(pkg: FhirPackage): Map<string, string> {
  const files = new Map<string, string>();
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  files.set('package.json', json(pkg.manifest));
  for (const resource of packageResources(pkg)) files.set(`${resource.resourceType}-${resource.id}.json`, json(resource));
  for (const example of pkg.examples) files.set(`example/${example.file.replace('/', '-')}`, json(example.resource));
  return files;
}
