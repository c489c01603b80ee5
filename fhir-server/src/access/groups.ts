import { TYPE_GROUPS, type TypeGroup } from './rules.js';

const byType = new Map<string, TypeGroup>(Object.entries(TYPE_GROUPS).flatMap(([group, types]) => types.map((t) => [t, group as TypeGroup] as const)));

/** The rule group of a resource type; every type not named in TYPE_GROUPS is clinical. */
export function groupOf(type: string): TypeGroup {
  return byType.get(type) ?? 'clinical';
}
