import type { OperationEntry } from '../registry.js';
import { referralDocument } from './document.js';
import { referralStats } from './stats.js';
import { transition } from './transition.js';

/** Two-way referral (docs/workflows.md): conveniences for apps; each is also doable with plain REST. */
export const REFERRAL_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'transition',
    definition: 'https://qiao.health/fhir/OperationDefinition/Task-transition',
    levels: ['instance'],
    types: ['Task'],
    affectsState: true,
    ownTransactions: false,
    handler: transition,
  },
  {
    code: 'referral-document',
    definition: 'https://qiao.health/fhir/OperationDefinition/ServiceRequest-referral-document',
    levels: ['instance'],
    types: ['ServiceRequest'],
    affectsState: true,
    ownTransactions: false,
    handler: referralDocument,
  },
  {
    code: 'referral-stats',
    definition: 'https://qiao.health/fhir/OperationDefinition/Task-referral-stats',
    levels: ['type'],
    types: ['Task'],
    affectsState: false,
    ownTransactions: false,
    handler: referralStats,
  },
];
