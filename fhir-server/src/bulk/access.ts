import type { Filter } from '../search/parse.js';
import type { ExportSpec } from './spec.js';

/**
 * The one place where access control narrows an export: the filters that the requester's token
 * (scopes, role, organisation, security labels) imposes on `type`, ANDed with the export's own
 * selection. There is no authorisation yet (issue 8 adds it), so nothing is narrowed: every
 * resource the export selects is written. The requester will be recorded in the spec at kick-off.
 */
export function accessFilters(_spec: ExportSpec, _type: string): Filter[] {
  return [];
}
