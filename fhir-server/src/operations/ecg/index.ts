import type { OperationEntry } from '../registry.js';
import { ecgImportOperation } from './import.js';
import { ecgTimeliness } from './timeliness.js';
import { ecgTransition } from './transition.js';

/** The ECG centre's operations (docs/ecg.md). */
export const ECG_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'ecg-import',
    definition: 'https://qiao.health/fhir/OperationDefinition/ecg-import',
    levels: ['system'],
    rawBody: true,
    affectsState: true,
    ownTransactions: true,
    handler: ecgImportOperation,
  },
  {
    code: 'ecg-transition',
    definition: 'https://qiao.health/fhir/OperationDefinition/Task-ecg-transition',
    levels: ['instance'],
    types: ['Task'],
    affectsState: true,
    ownTransactions: false,
    handler: ecgTransition,
  },
  {
    code: 'ecg-timeliness',
    definition: 'https://qiao.health/fhir/OperationDefinition/ecg-timeliness',
    levels: ['system'],
    affectsState: false,
    ownTransactions: false,
    handler: ecgTimeliness,
  },
];
