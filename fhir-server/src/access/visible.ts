import type { Principal } from '../auth/principal.js';
import type { ScopeInteraction } from '../auth/scopes.js';
import type { Queryable } from '../repository/db.js';
import { sqlParams } from '../repository/sql-params.js';
import { ConditionBuilder } from '../search/sql/conditions.js';
import { decide, type AccessSettings } from './policy.js';

interface Key {
  readonly resourceType: string;
  readonly id: string;
}

/**
 * Which of the given resources the principal may `interaction`, judged by their current indexed
 * version with the same filters a search would AND in: one statement for all of them, none when
 * no type is filtered. `reach` judges by the filters without confidentiality labels (what a write must stay inside).
 */
export async function visibleKeys(q: Queryable, principal: Principal, settings: AccessSettings, keys: readonly Key[], interaction: ScopeInteraction, by: 'filters' | 'reach' = 'filters'): Promise<Set<string>> {
  const visible = new Set<string>();
  const byType = new Map<string, string[]>();
  for (const key of keys) byType.set(key.resourceType, [...(byType.get(key.resourceType) ?? []), key.id]);
  const p = sqlParams();
  const builder = new ConditionBuilder(p);
  const parts: string[] = [];
  for (const [type, ids] of byType) {
    const decision = decide(principal, settings, type, interaction);
    if (!decision.allowed) continue;
    const filters = by === 'reach' ? decision.reach : decision.filters;
    if (filters.length === 0) {
      for (const id of ids) visible.add(`${type}/${id}`);
      continue;
    }
    parts.push(`SELECT r.resource_type, r.id FROM resource r WHERE r.id = ANY(${p.add(ids)}::text[]) AND ${builder.where(filters, 'r', type).join(' AND ')}`);
  }
  if (parts.length > 0) {
    const rows = await q.query<{ resource_type: string; id: string }>(parts.join(' UNION ALL '), p.values);
    for (const row of rows) visible.add(`${row.resource_type}/${row.id}`);
  }
  return visible;
}

/** Only the resources the principal may read, in their order. */
export async function onlyVisible<T extends Key>(q: Queryable, principal: Principal, settings: AccessSettings, resources: readonly T[]): Promise<T[]> {
  if (resources.length === 0) return [];
  const visible = await visibleKeys(q, principal, settings, resources, 'r');
  return resources.filter((r) => visible.has(`${r.resourceType}/${r.id}`));
}
