import type { Resource } from '@medplum/fhirtypes';
import type { Principal } from '../auth/principal.js';
import type { EdgeIssue } from '../errors/edge-issues.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import type { Context } from '../router/types.js';
import { CRITICAL_VALUE_RULES } from '../workflows/critical-values/rules.js';
import { REPORTING_RULES } from '../workflows/reporting/rules.js';
import { SIGNATURE_RULES } from '../signatures/sign.js';
import { REFERRAL_RULES } from '../workflows/referral/index.js';
import { SUBSCRIPTION_RULES } from '../subscriptions/rules.js';
import { REGISTRY_RULES } from '../registries/index.js';
import { ECG_RULES } from '../workflows/ecg/rules.js';

/** A create, update or patch about to be stored, inside the write's transaction. */
export interface WriteChange {
  method: 'create' | 'update' | 'patch';
  resource: Resource;
  /** The current version an update or patch replaces (locked until the transaction ends); none for a create. */
  previous?: Resource;
  principal: Principal;
}

/**
 * A business rule on writes of some resource types (a workflow's state machine, a registry's
 * quality rules). `check` refuses by throwing a FhirError (the whole write, or transaction,
 * rolls back) and may return warnings, which reach the client like validation warnings. It may
 * complete the resource (a timestamp, a derived code) before it is stored.
 */
export interface WriteRule {
  name: string;
  types: readonly string[];
  check(ctx: Context, q: Queryable, change: WriteChange): Promise<readonly EdgeIssue[] | void>;
}

/** The rules in force, by area: one spread line per area (`...REFERRAL_RULES`). */
export const WRITE_RULES: readonly WriteRule[] = [
  // First: an ECG report's critical statement makes it coded critical before the critical-value rules look.
  ...ECG_RULES,
  ...REPORTING_RULES,
  ...CRITICAL_VALUE_RULES,
  ...REFERRAL_RULES,
  ...SUBSCRIPTION_RULES,
  ...REGISTRY_RULES,
  // Last: a signature covers the resource as the rules before it completed it.
  ...SIGNATURE_RULES,
];

const byType = new Map<string, WriteRule[]>();
for (const rule of WRITE_RULES) {
  for (const type of rule.types) byType.set(type, [...(byType.get(type) ?? []), rule]);
}

/** Whether any rule looks at writes of `type` (so the caller need not read the previous version). */
export function hasWriteRules(type: string): boolean {
  return byType.has(type);
}

async function previousVersion(ctx: Context, q: Queryable, resource: Resource): Promise<Resource | undefined> {
  if (!resource.id) return undefined;
  try {
    return JSON.parse((await ctx.repo.read(q, resource.resourceType, resource.id, true)).json as string) as Resource;
  } catch (error) {
    // Update-as-create and an update of a deleted resource have no previous version.
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
}

/**
 * Runs the rules for the resource's type; `previous` is read (FOR UPDATE) only when a rule
 * applies and the caller has not got it already.
 */
export async function applyWriteRules(
  ctx: Context,
  q: Queryable,
  principal: Principal,
  method: WriteChange['method'],
  resource: Resource,
  previous?: Resource,
): Promise<EdgeIssue[]> {
  const rules = byType.get(resource.resourceType);
  if (!rules) return [];
  const before = method === 'create' ? undefined : (previous ?? (await previousVersion(ctx, q, resource)));
  const warnings: EdgeIssue[] = [];
  for (const rule of rules) {
    const found = await rule.check(ctx, q, { method, resource, ...(before ? { previous: before } : {}), principal });
    if (found) warnings.push(...found);
  }
  return warnings;
}
