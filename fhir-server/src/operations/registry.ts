import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../router/types.js';
import type { Queryable } from '../repository/db.js';
import { everything } from './everything/handler.js';
import { reindex } from './reindex/handler.js';
import { CDA_OPERATIONS } from './cda/index.js';
import { VALIDATE_OPERATIONS } from './validate/handler.js';
import { MPI_OPERATIONS } from './mpi/index.js';
import { TERMINOLOGY_OPERATIONS } from './terminology/index.js';
import { EXPORT_OPERATIONS } from './export/index.js';
import { SUBSCRIPTION_OPERATIONS } from './subscriptions/index.js';
import { ECG_OPERATIONS } from './ecg/index.js';
import { SIGNATURE_OPERATIONS } from './signatures/index.js';
import { CRITICAL_VALUE_OPERATIONS } from './critical-values/index.js';
import { REPORTING_OPERATIONS } from './reporting/index.js';
import { REGISTRY_OPERATIONS } from './registries/index.js';
import { REFERRAL_OPERATIONS } from './referral/index.js';
import { BREAK_GLASS_OPERATIONS } from './break-glass/index.js';

export type Level = 'system' | 'type' | 'instance';

/**
 * One entry per operation: routes and the CapabilityStatement are generated from this list, so
 * they cannot drift apart. Operations an operator runs (reindex, later imports and key rotation)
 * live here too, because the embedded database admits only the server's own process.
 */
export interface OperationEntry {
  code: string;
  /** Canonical URL of its OperationDefinition. */
  definition: string;
  levels: readonly Level[];
  /** Resource types it runs on at type and instance level; absent = every type. */
  types?: readonly string[];
  /** Takes the request body as bytes (`FhirRequest.rawBody`) instead of a parsed FHIR resource. */
  rawBody?: boolean;
  /** Changes data: POST only. */
  affectsState: boolean;
  /** Runs its own (batched) transactions instead of one around the whole call. */
  ownTransactions: boolean;
  handler: (ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath) => Promise<FhirResponse>;
}

export const OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'reindex',
    definition: 'https://qiao.health/fhir/OperationDefinition/reindex',
    levels: ['system', 'type'],
    affectsState: true,
    ownTransactions: true,
    handler: reindex,
  },
  {
    code: 'everything',
    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
    levels: ['instance'],
    types: ['Patient'],
    affectsState: false,
    ownTransactions: false,
    handler: everything,
  },
  ...VALIDATE_OPERATIONS,
  ...MPI_OPERATIONS,
  ...TERMINOLOGY_OPERATIONS,
  ...EXPORT_OPERATIONS,
  ...CDA_OPERATIONS,
  ...REFERRAL_OPERATIONS,
  ...BREAK_GLASS_OPERATIONS,
  ...SUBSCRIPTION_OPERATIONS,
  ...REGISTRY_OPERATIONS,
  ...ECG_OPERATIONS,
  ...SIGNATURE_OPERATIONS,
  ...CRITICAL_VALUE_OPERATIONS,
  ...REPORTING_OPERATIONS,
];

export function findOperation(name: string): OperationEntry | undefined {
  return OPERATIONS.find((op) => `$${op.code}` === name);
}

/** Whether `op` runs at this path's level and on its resource type. */
export function runsAt(op: OperationEntry, path: ParsedPath): boolean {
  const level = levelOf(path);
  if (!op.levels.includes(level)) return false;
  return level === 'system' || !op.types || op.types.includes(path.type as string);
}

export function levelOf(path: ParsedPath): Level {
  return path.id ? 'instance' : path.type ? 'type' : 'system';
}
