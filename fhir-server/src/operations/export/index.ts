import type { OperationEntry } from '../registry.js';
import { exportKickoff } from './kickoff.js';

/**
 * Bulk Data 2.0 `$export`. One entry serves the three levels (an operation code has one entry):
 * the handler accepts system level, `Patient/$export` and `Group/{id}/$export` and refuses the
 * other combinations. Status and files are served by the bulk export edge (bulk/edge.ts).
 */
export const EXPORT_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'export',
    definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export',
    levels: ['system', 'type', 'instance'],
    types: ['Patient', 'Group'],
    affectsState: false,
    ownTransactions: true,
    handler: exportKickoff,
  },
];
