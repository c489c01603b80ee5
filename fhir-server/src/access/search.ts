import { isUnrestricted, type Principal } from '../auth/principal.js';
import type { Filter, ParsedSearch } from '../search/parse.js';
import { acrossTypes, decide, type AccessSettings } from './policy.js';

/**
 * ANDs the principal's access filters into a parsed search, where it selects and where it looks
 * through references: the matches (so totals and pages count only what the token reaches), the
 * target of each chain and the source of each `_has` (so a condition on another patient's data
 * cannot tell anything about it). Included resources are filtered after they are found
 * (access/visible.ts). Nothing changes for an unrestricted principal.
 */
export function narrowSearch(principal: Principal, settings: AccessSettings, parsed: ParsedSearch): void {
  if (isUnrestricted(principal)) return;
  // A contained resource is read through its container, whatever type that is.
  const containers = parsed.contained !== 'false' ? acrossTypes(principal, settings, undefined, 's') : undefined;
  if (containers) parsed.containerFilters.push(containers);
  parsed.filters = parsed.filters.map((f) => narrowNested(principal, settings, f));
  if (parsed.resourceType) {
    const decision = decide(principal, settings, parsed.resourceType, 's');
    parsed.filters.push(...(decision.allowed ? decision.filters : [NOTHING]));
    return;
  }
  const typeFilters = parsed.filters.filter((f): f is Extract<Filter, { kind: 'type' }> => f.kind === 'type');
  const types = typeFilters.length > 0 ? typeFilters.map((f) => f.types).reduce((a, b) => a.filter((t) => b.includes(t))) : undefined;
  const across = acrossTypes(principal, settings, types, 's');
  if (across) parsed.filters.push(across);
}

const NOTHING: Filter = { kind: 'any', alternatives: [] };

function within(principal: Principal, settings: AccessSettings, type: string, filter: Filter): Filter {
  const decision = decide(principal, settings, type, 's');
  if (!decision.allowed) return NOTHING;
  return decision.filters.length === 0 ? filter : { kind: 'any', alternatives: [[filter, ...decision.filters]] };
}

function narrowNested(principal: Principal, settings: AccessSettings, filter: Filter): Filter {
  switch (filter.kind) {
    case 'chain':
      return { ...filter, targets: filter.targets.map((t) => ({ type: t.type, filter: within(principal, settings, t.type, narrowNested(principal, settings, t.filter)) })) };
    case 'has':
      return { ...filter, filter: within(principal, settings, filter.sourceType, narrowNested(principal, settings, filter.filter)) };
    case 'any':
      return { ...filter, alternatives: filter.alternatives.map((all) => all.map((f) => narrowNested(principal, settings, f))) };
    default:
      return filter;
  }
}
