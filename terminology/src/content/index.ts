import type { ConceptMap } from '@medplum/fhirtypes';
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
  const national = [...tables.map(codeSystemFromTable), divisionsCodeSystem(), countriesCodeSystem()];
  shipped = [
    ...fhirContent(),
    ...national,
    ...national.map(allCodesValueSet),
    ...readJsonFiles<ConceptMap>('maps'),
  ];
  return shipped;
}
