import { readdirSync, readFileSync } from 'node:fs';
import type { CodeSystem, Resource, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { DEFINITIONS } from '../definitions/index.js';
import { codeSystems, valueSets } from '../definitions/terminology.js';
import { CANONICAL, PACKAGE_NAME, PACKAGE_VERSION } from '../systems.js';
import { structureDefinition } from './structure-definition.js';

export interface Example {
  file: string;
  valid: boolean;
  resource: Resource & Record<string, unknown>;
  /** For an invalid example: the rule it breaks and where. */
  expect?: { id: string; expression: string };
}

/** What validation needs: the definitions (differentials suffice) and the terminology they bind to. */
export interface ProfileSet {
  structureDefinitions: StructureDefinition[];
  valueSets: ValueSet[];
  codeSystems: CodeSystem[];
}

export interface FhirPackage extends ProfileSet {
  /** The FHIR package manifest (`package/package.json`). */
  manifest: Record<string, unknown>;
  examples: Example[];
}

const EXAMPLES = new URL('../../examples/', import.meta.url);

let cached: FhirPackage | undefined;
let differentials: ProfileSet | undefined;

/**
 * The profiles without snapshots, which validation does not read: generating the snapshots
 * loads the R4 base definitions and takes seconds, which a server validating its first write
 * should not wait for.
 */
export function loadProfileSet(): ProfileSet {
  differentials ??= cached ?? { structureDefinitions: DEFINITIONS.map((d) => structureDefinition(d, false)), valueSets: valueSets(), codeSystems: codeSystems() };
  return differentials;
}

/** The package, built from the authored definitions (snapshots generated) and the example files. */
export function loadPackage(): FhirPackage {
  cached ??= {
    manifest: {
      name: PACKAGE_NAME,
      version: PACKAGE_VERSION,
      canonical: CANONICAL,
      fhirVersions: ['4.0.1'],
      type: 'fhir.ig',
      title: '中国国家标准 FHIR 配置文件 | Chinese national FHIR profiles',
      description: 'WS 445 / WS 365 数据集、WS/T 363 数据元、WS 364 值域与 GB/T 分类代码的 FHIR R4 配置文件 | FHIR R4 profiles of the Chinese national health data standards',
      license: 'Apache-2.0',
      dependencies: { 'hl7.fhir.r4.core': '4.0.1' },
      jurisdiction: 'urn:iso:std:iso:3166#CN',
    },
    structureDefinitions: DEFINITIONS.map((d) => structureDefinition(d)),
    valueSets: valueSets(),
    codeSystems: codeSystems(),
    examples: [...readExamples('valid'), ...readExamples('invalid')],
  };
  return cached;
}

export function packageResources(pkg: FhirPackage): Resource[] {
  return [...pkg.structureDefinitions, ...pkg.valueSets, ...pkg.codeSystems];
}

function readExamples(kind: 'valid' | 'invalid'): Example[] {
  const dir = new URL(`${kind}/`, EXAMPLES);
  const expected = kind === 'invalid' ? (JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, Example['expect']>) : {};
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && file !== 'expected.json')
    .sort()
    .map((file) => {
      const resource = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Example['resource'];
      const expect = expected[file];
      if (kind === 'invalid' && !expect) throw new Error(`examples/invalid/${file} has no entry in expected.json`);
      return { file: `${kind}/${file}`, valid: kind === 'valid', resource, ...(expect ? { expect } : {}) };
    });
}
