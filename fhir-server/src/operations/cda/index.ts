import type { OperationEntry } from '../registry.js';
import { cdaGenerate, compositionCda } from './generate.js';
import { cdaImport } from './import.js';
import { cdaValidate } from './validate.js';

/** The CDA shared-document operations (WS/T 500, WS/T 483), mapped by @qiao/cda-adapters. */
export const CDA_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'cda-import',
    definition: 'https://qiao.health/fhir/OperationDefinition/cda-import',
    levels: ['system'],
    rawBody: true,
    affectsState: true,
    ownTransactions: true,
    handler: cdaImport,
  },
  {
    code: 'cda-validate',
    definition: 'https://qiao.health/fhir/OperationDefinition/cda-validate',
    levels: ['system'],
    rawBody: true,
    affectsState: false,
    ownTransactions: true,
    handler: cdaValidate,
  },
  {
    code: 'cda-generate',
    definition: 'https://qiao.health/fhir/OperationDefinition/cda-generate',
    levels: ['system'],
    affectsState: true,
    ownTransactions: false,
    handler: cdaGenerate,
  },
  {
    code: 'cda',
    definition: 'https://qiao.health/fhir/OperationDefinition/Composition-cda',
    levels: ['instance'],
    types: ['Composition'],
    affectsState: false,
    ownTransactions: false,
    handler: compositionCda,
  },
];
