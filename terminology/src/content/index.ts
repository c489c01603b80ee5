import type { CodeSystem, ConceptMap } from '@medplum/fhirtypes';
import { allCodesValueSet, codeSystemFromTable, type CodeTable } from '../import/table.js';
import type { TerminologyResource } from '../terminology.js';
import { countriesCodeSystem } from './countries.js';
import { divisionsCodeSystem } from './divisions.js';
import { fhirContent } from './fhir.js';
import { readJsonFiles } from './files.js';

export { NATIONAL } from './national-systems.js';

let shipped: TerminologyResource[] | undefined;

/**
 * Everything the workspace ships: FHIR R4 code systems and value sets, the national tables
 * (data/national), GB/T 2260 and GB/T 2659 from their npm package, the curated subsets of the
 * licensed systems (data/subsets) and the concept maps (data/maps). Built once per process.
 */
export function shippedContent(): TerminologyResource[] {
  if (shipped) return shipped;
  const tables = [...readJsonFiles<CodeTable>('national'), ...readJsonFiles<CodeTable>('subsets')];
  // data/local: Qiao's own code systems, shipped as CodeSystem resources (their properties, e.g. ECG `critical`, need more than a table).
  const national = [...tables.map(codeSystemFromTable), ...readJsonFiles<CodeSystem>('local'), divisionsCodeSystem(), countriesCodeSystem()];
  shipped = [
    ...fhirContent(),
    ...national,
    ...national.map(allCodesValueSet),
    ...readJsonFiles<ConceptMap>('maps'),
  ];
  return shipped;
}
