import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadPackage, packageResources } from './package.js';

/**
 * Writes the FHIR package (`profiles/package/`): its manifest, every StructureDefinition with
 * differential and snapshot, the value sets and code systems, and the examples — the layout FHIR
 * tooling (IG publisher, validators, `fhir install`) reads.
 */
const out = new URL('../../package/', import.meta.url);
const pkg = loadPackage();
rmSync(out, { recursive: true, force: true });
mkdirSync(new URL('example/', out), { recursive: true });
writeFileSync(new URL('package.json', out), `${JSON.stringify(pkg.manifest, null, 2)}\n`);
for (const resource of packageResources(pkg)) writeFileSync(new URL(`${resource.resourceType}-${resource.id}.json`, out), `${JSON.stringify(resource)}\n`);
for (const example of pkg.examples) writeFileSync(new URL(`example/${example.file.replace('/', '-')}`, out), `${JSON.stringify(example.resource, null, 2)}\n`);
console.log(`${out.pathname}: ${packageResources(pkg).length} resources, ${pkg.examples.length} examples`);
