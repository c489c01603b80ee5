import type { OperationEntry } from '../registry.js';
import { link, unlink } from './link.js';
import { match } from './match.js';
import { merge } from './merge.js';
import { pseudonym } from './pseudonym.js';
import { unmerge } from './unmerge.js';

/** The master patient index's operations (src/mpi/ holds the logic). */
export const MPI_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'match',
    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match',
    levels: ['type'],
    types: ['Patient'],
    affectsState: false,
    ownTransactions: false,
    handler: match,
  },
  {
    code: 'merge',
    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-merge',
    levels: ['type'],
    types: ['Patient'],
    affectsState: true,
    ownTransactions: false,
    handler: merge,
  },
  {
    code: 'unmerge',
    definition: 'https://qiao.health/fhir/OperationDefinition/Patient-unmerge',
    levels: ['type'],
    types: ['Patient'],
    affectsState: true,
    ownTransactions: false,
    handler: unmerge,
  },
  {
    code: 'link',
    definition: 'https://qiao.health/fhir/OperationDefinition/Patient-link',
    levels: ['type'],
    types: ['Patient'],
    affectsState: true,
    ownTransactions: false,
    handler: link,
  },
  {
    code: 'unlink',
    definition: 'https://qiao.health/fhir/OperationDefinition/Patient-unlink',
    levels: ['type'],
    types: ['Patient'],
    affectsState: true,
    ownTransactions: false,
    handler: unlink,
  },
  {
    code: 'pseudonym',
    definition: 'https://qiao.health/fhir/OperationDefinition/Patient-pseudonym',
    levels: ['type', 'instance'],
    types: ['Patient'],
    affectsState: false,
    ownTransactions: false,
    handler: pseudonym,
  },
];
