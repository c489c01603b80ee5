import { breakGlass, breakGlassGrantList } from '../../access/break-glass.js';
import type { OperationEntry } from '../registry.js';

/** Emergency access (紧急访问, docs/access.md): the grant and the security officer's list of grants. */
export const BREAK_GLASS_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'break-glass',
    definition: 'https://qiao.health/fhir/OperationDefinition/break-glass',
    levels: ['instance'],
    types: ['Patient'],
    affectsState: true,
    ownTransactions: false,
    handler: breakGlass,
  },
  {
    code: 'break-glass-grants',
    definition: 'https://qiao.health/fhir/OperationDefinition/break-glass-grants',
    levels: ['system'],
    affectsState: false,
    ownTransactions: false,
    handler: breakGlassGrantList,
  },
];
