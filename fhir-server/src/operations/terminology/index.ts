import type { OperationEntry } from '../registry.js';
import { codeChanges, expand, lookup, subsumes, translate, unmappedCodes, validateCode } from './handlers.js';
import { exportCsv, importCsv } from './import-export.js';

const HL7 = 'http://hl7.org/fhir/OperationDefinition/';
const QIAO = 'https://qiao.health/fhir/OperationDefinition/';

/** The terminology operations (the service itself is @qiao/terminology; `service.ts` adapts it). */
export const TERMINOLOGY_OPERATIONS: readonly OperationEntry[] = [
  { code: 'lookup', definition: `${HL7}CodeSystem-lookup`, levels: ['type', 'instance'], types: ['CodeSystem'], affectsState: false, ownTransactions: false, handler: lookup },
  { code: 'validate-code', definition: `${HL7}ValueSet-validate-code`, levels: ['type', 'instance'], types: ['CodeSystem', 'ValueSet'], affectsState: false, ownTransactions: false, handler: validateCode },
  { code: 'subsumes', definition: `${HL7}CodeSystem-subsumes`, levels: ['type', 'instance'], types: ['CodeSystem'], affectsState: false, ownTransactions: false, handler: subsumes },
  { code: 'expand', definition: `${HL7}ValueSet-expand`, levels: ['type', 'instance'], types: ['ValueSet'], affectsState: false, ownTransactions: false, handler: expand },
  { code: 'translate', definition: `${HL7}ConceptMap-translate`, levels: ['type', 'instance'], types: ['ConceptMap'], affectsState: false, ownTransactions: false, handler: translate },
  { code: 'unmapped-codes', definition: `${QIAO}unmapped-codes`, levels: ['system'], affectsState: false, ownTransactions: false, handler: unmappedCodes },
  { code: 'code-changes', definition: `${QIAO}code-changes`, levels: ['type', 'instance'], types: ['CodeSystem'], affectsState: false, ownTransactions: false, handler: codeChanges },
  { code: 'import-csv', definition: `${QIAO}import-csv`, levels: ['type'], types: ['CodeSystem'], rawBody: true, affectsState: true, ownTransactions: false, handler: importCsv },
  { code: 'export-csv', definition: `${QIAO}export-csv`, levels: ['instance'], types: ['CodeSystem'], affectsState: false, ownTransactions: false, handler: exportCsv },
];
