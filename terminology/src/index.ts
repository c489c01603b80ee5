/**
 * @qiao/terminology: the national and FHIR code systems, value sets and concept maps, and the
 * terminology service over them. A library: it knows nothing of the server, which adapts it.
 */
export * from './model.js';
export { indexCodeSystem, descendants, type IndexedCodeSystem } from './code-system.js';
export { createTerminology, unknownCode, unknownSystem, retiredCode } from './terminology.js';
export type { Terminology, TerminologyOptions, TerminologyResource, CodeSystemSummary } from './terminology.js';
export { shippedContent, NATIONAL } from './content/index.js';
export { allCodesValueSet, codeSystemFromTable, codeSystemToCsv, isXlsx, rowsFromCsv, rowsFromFile, rowsFromXlsx, VALUESET_BASE, type CodeRow, type CodeTable } from './import/table.js';
