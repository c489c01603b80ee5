import type { Queryable } from '../repository/db.js';
import { openStored } from '../repository/sealed-fields.js';
import { sqlParams } from '../repository/sql-params.js';
import { compartmentParams } from '../search/compartments.js';
import { referenceParamsSql } from '../search/derived-references.js';
import { parseSearch, type Filter } from '../search/parse.js';
import { ConditionBuilder } from '../search/sql/conditions.js';
import { accessFilters } from './access.js';
import type { ExportSpec } from './spec.js';

/** Resources per page: the most an export holds in memory at once. */
export const PAGE_SIZE = 500;

export interface ExportRow {
  id: string;
  content: string;
}

/**
 * One keyset page of `type` for an export: resources after `afterId` in id order, selected by
 * the export's level (Patient compartment of every patient, or of the group's members), `_since`,
 * the type's `_typeFilter` searches (compiled by the search engine, ORed) and access control.
 */
export async function exportPage(q: Queryable, spec: ExportSpec, type: string, afterId: string | undefined, limit = PAGE_SIZE): Promise<ExportRow[]> {
  const p = sqlParams();
  const builder = new ConditionBuilder(p);
  const conditions = builder.where(accessFilters(spec, type), 'r', type);
  if (afterId !== undefined) conditions.push(`r.id > ${p.add(afterId)}`);
  if (spec.since) conditions.push(`r.last_updated > ${p.add(spec.since)}::timestamptz`);
  const alternatives = typeFilterSearches(spec, type);
  if (alternatives.length > 0) conditions.push(`(${alternatives.map((filters) => `(${builder.where(filters, 'r', type).join(' AND ')})`).join(' OR ')})`);
  const members = spec.group?.members;
  if (spec.level !== 'system') {
    if (type === 'Patient') {
      if (members) conditions.push(`r.id = ANY(${p.add(members)}::text[])`);
    } else {
      // In the compartment of a patient: referenced by one of the type's compartment parameters.
      const params = referenceParamsSql('x', type, compartmentParams('Patient', type) ?? [], p.add);
      conditions.push(
        members
          ? // A group's few members drive the lookup (target index), not the type's every resource.
            `r.id IN (SELECT x.id FROM search_reference x WHERE x.target_type = 'Patient' AND x.target_id = ANY(${p.add(members)}::text[])
              AND ${params} AND x.resource_type = ${p.add(type)})`
          : `EXISTS (SELECT 1 FROM search_reference x WHERE x.resource_type = r.resource_type AND x.id = r.id
              AND ${params} AND x.target_type = 'Patient')`,
      );
    }
  }
  const rows = await q.query<ExportRow>(
    `SELECT r.id, r.content FROM resource r WHERE ${conditions.join(' AND ')} ORDER BY r.id LIMIT ${p.add(limit)}`,
    p.values,
  );
  // Export files hold the plaintext, like every read (docs/crypto.md).
  return rows.map((row) => ({ id: row.id, content: openStored(row.content, type, row.id) }));
}

/** The type's `_typeFilter` searches as filter lists; parsing was checked at kick-off. */
function typeFilterSearches(spec: ExportSpec, type: string): Filter[][] {
  return (spec.typeFilters[type] ?? []).map((query) => parseSearch(type, query, { baseUrl: spec.baseUrl }).filters);
}
