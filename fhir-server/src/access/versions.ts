import { FhirError } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import { sqlParams } from '../repository/sql-params.js';
import type { Context, FhirResponse } from '../router/types.js';
import { extractIndex } from '../search/index/extract.js';
import { indexInserts } from '../search/index/index-sql.js';
import type { Filter } from '../search/parse.js';
import { ConditionBuilder } from '../search/sql/conditions.js';

/** Ids no client can create (a FHIR id has no `~`): the stand-ins of old versions while they are judged. */
const standIn = (versionId: string) => `~version~${versionId}`;

class Judged extends Error {
  constructor(readonly inReach: Set<string>) {
    super('judged');
  }
}

/**
 * Which of these versions of `type/id` the filters reach, each judged by its own content, not by
 * the current version's: a vread or an instance history shows an old version exactly when the
 * token would reach a resource that looked like it. The filters are the same SQL as everywhere
 * (no second evaluator): each version is written as a stand-in resource with its index rows, the
 * filters are evaluated on the stand-ins, and everything is rolled back. A delete marker is judged
 * by the version it removed.
 */
export async function versionsInReach(ctx: Context, q: Queryable, filters: Filter[], type: string, id: string, versionIds: readonly string[]): Promise<Set<string>> {
  const judgedBy = new Map<string, string>();
  const contents = new Map<string, Record<string, unknown>>();
  for (const vid of new Set(versionIds)) {
    let at = vid;
    for (;;) {
      try {
        const stored = await ctx.repo.vread(q, type, id, at);
        contents.set(at, JSON.parse(stored.json as string) as Record<string, unknown>);
        judgedBy.set(vid, at);
        break;
      } catch (error) {
        // A delete marker: the version before it; nothing before it (cannot happen) leaves it unseen.
        if (!(error instanceof FhirError) || error.status !== 410 || at === '1') break;
        at = String(Number(at) - 1);
      }
    }
  }
  if (contents.size === 0) return new Set();
  const judge = async (tx: Queryable): Promise<never> => {
    const keys = [...contents.keys()];
    const p = sqlParams();
    const stand = keys.map((v) => ({ resourceType: type, id: standIn(v) }));
    const index = keys.map((v) => extractIndex(contents.get(v) as Record<string, unknown>));
    const inserts = indexInserts(p, stand, index);
    await tx.query(
      `WITH r AS (INSERT INTO resource (resource_type, id, version_id, last_updated, content)
         SELECT ${p.add(type)}, unnest(${p.add(stand.map((s) => s.id))}::text[]), 1, now(), unnest(${p.add(keys.map((v) => JSON.stringify(contents.get(v))))}::text[]))
       ${inserts.map((sql, k) => `, x${k} AS (${sql})`).join('')}
       SELECT 1`,
      p.values,
    );
    const w = sqlParams();
    const where = new ConditionBuilder(w).where(filters, 'r', type);
    const rows = await tx.query<{ id: string }>(`SELECT r.id FROM resource r WHERE r.resource_type = ${w.add(type)} AND r.id = ANY(${w.add(stand.map((s) => s.id))}::text[]) AND ${where.join(' AND ')}`, w.values);
    const reached = new Set(rows.map((r) => r.id));
    throw new Judged(new Set([...judgedBy].filter(([, at]) => reached.has(standIn(at))).map(([vid]) => vid)));
  };
  try {
    // Outside a transaction (a plain read) one of its own; inside one (a batch entry), a savepoint.
    if ('transaction' in q && typeof q.transaction === 'function') await (q as Context['db']).transaction(judge);
    else {
      await q.query('SAVEPOINT judge_versions');
      try {
        await judge(q);
      } finally {
        await q.query('ROLLBACK TO SAVEPOINT judge_versions');
      }
    }
  } catch (error) {
    if (error instanceof Judged) return error.inReach;
    throw error;
  }
  return new Set();
}

/** A vread: the version returned must be in reach, else 404 as for an absent resource. */
export async function vreadInReach(ctx: Context, q: Queryable, filters: Filter[], type: string, id: string, versionId: string, res: FhirResponse): Promise<FhirResponse> {
  if (!(await versionsInReach(ctx, q, filters, type, id, [versionId])).has(versionId)) throw new FhirError('resource.not-found', { type, id });
  return res;
}

interface HistoryEntry {
  response?: { etag?: string };
}

/**
 * An instance history: only the versions in reach are listed; none at all answers 404 as for an
 * absent resource. `total` is dropped when versions were left out (it would count them).
 */
export async function historyInReach(ctx: Context, q: Queryable, filters: Filter[], type: string, id: string, res: FhirResponse): Promise<FhirResponse> {
  const bundle = res.body as unknown as { entry?: HistoryEntry[]; total?: number };
  const versionOf = (e: HistoryEntry) => /^W\/"(\d+)"$/.exec(e.response?.etag ?? '')?.[1] ?? '';
  const entries = bundle.entry ?? [];
  const reached = await versionsInReach(ctx, q, filters, type, id, entries.map(versionOf));
  const kept = entries.filter((e) => reached.has(versionOf(e)));
  if (kept.length === 0 && entries.length > 0) throw new FhirError('resource.not-found', { type, id });
  if (kept.length === entries.length) return res;
  const { total: _total, ...rest } = bundle;
  return { ...res, body: { ...rest, entry: kept } as unknown as FhirResponse['body'] };
}
