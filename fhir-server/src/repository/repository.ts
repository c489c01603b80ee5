import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import { extractIndex } from '../search/index/extract.js';
import { containedOrphanDeletes, indexDeletes, indexDeletesMany, indexInserts } from '../search/index/index-sql.js';
import type { IndexRows } from '../search/index/tables.js';
import { PgCode, pgErrorCode, type Db, type Queryable } from './db.js';
import { ChangeFeed, type ResourceChange } from './changes.js';
import { onCommit } from './commit-hooks.js';
import { sqlParams } from './sql-params.js';
import { openStored, type FieldSealer } from './sealed-fields.js';
import { fromRow, storedColumns, type StoredRow, type StoredVersion } from './stored.js';

export type WriteMethod = 'POST' | 'PUT' | 'PATCH';

export interface WriteResult {
  stored: StoredVersion;
  created: boolean;
}

interface VersionResult {
  /** Version before the write; null when the resource does not exist. */
  current: string | null;
  was_deleted: boolean | null;
  /** Version written; null when nothing was written. */
  written: string | null;
}

const VERSION_RESULT = `SELECT (SELECT version_id::text FROM cur) AS current, (SELECT deleted FROM cur) AS was_deleted,
  (SELECT version_id::text FROM r) AS written`;

// A control character cannot come from a client's JSON unescaped, so this marker is ours alone.
const VERSION_PLACEHOLDER = '\u0000version\u0000';
const VERSION_PLACEHOLDER_JSON = JSON.stringify(VERSION_PLACEHOLDER).slice(1, -1);

function withVersion(resource: Resource, draft: StoredVersion, versionId: string): StoredVersion {
  (resource.meta as { versionId: string }).versionId = versionId;
  return { ...draft, versionId, json: (draft.json as string).replaceAll(VERSION_PLACEHOLDER_JSON, versionId) };
}

/**
 * The only place that writes resources. Every method takes the transaction it runs in, so a REST
 * interaction and a whole transaction Bundle share one database transaction.
 */
export class Repository {
  /** Committed changes, for in-process consumers (subscriptions, workflows). */
  readonly changes = new ChangeFeed();

  /** `sealer`: field-level encryption at rest (sealed-fields.ts); absent only when QIAO_FIELD_ENCRYPTION=off. */
  constructor(
    readonly db: Db,
    private readonly sealer?: FieldSealer,
  ) {}

  /** What a stamped resource is stored as: its JSON text with sealed fields sealed, and its index rows (blind indexes for those). */
  private prepare(stored: StoredVersion, body: Record<string, unknown>): { content: string; index: IndexRows } {
    const sealed = this.sealer?.seal(body, stored.resourceType, stored.id);
    return { content: sealed?.text ?? (stored.json as string), index: extractIndex(sealed?.indexed ?? body) };
  }

  /** The resource the index rows of stored (opened) content are built from. */
  private indexed(body: Record<string, unknown>): Record<string, unknown> {
    return this.sealer ? this.sealer.indexView(body) : body;
  }

  private announce(q: Queryable, action: ResourceChange['action'], versions: readonly StoredVersion[]): void {
    if (!this.changes.active) return;
    onCommit(q, () => {
      for (const v of versions) {
        this.changes.emit({ action, resourceType: v.resourceType, id: v.id, versionId: v.versionId, lastUpdated: v.lastUpdated, json: v.json ?? null });
      }
    });
  }

  /** How many current (not deleted) resources of a type there are. */
  async count(q: Queryable, type: string): Promise<number> {
    const [row] = await q.query<{ n: string }>('SELECT count(*)::text AS n FROM resource WHERE resource_type = $1 AND NOT deleted', [type]);
    return Number(row?.n ?? 0);
  }

  /** `forUpdate` locks the row until the transaction ends, for read-modify-write (PATCH). */
  async read(q: Queryable, type: string, id: string, forUpdate = false): Promise<StoredVersion> {
    const [row] = await q.query<StoredRow>(
      `SELECT ${storedColumns()}, deleted FROM resource WHERE resource_type = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [type, id],
    );
    if (!row) throw new FhirError('resource.not-found', { type, id });
    if (row.deleted) throw new FhirError('resource.deleted', { type, id });
    return fromRow(row);
  }

  /** Current versions of several resources of one type in one statement, by id; absent and deleted ones are left out. */
  async readMany(q: Queryable, type: string, ids: readonly string[]): Promise<Map<string, StoredVersion>> {
    if (ids.length === 0) return new Map();
    const rows = await q.query<StoredRow>(`SELECT ${storedColumns()}, deleted FROM resource WHERE resource_type = $1 AND id = ANY($2::text[]) AND NOT deleted`, [type, [...new Set(ids)]]);
    return new Map(rows.map((row) => [row.id, fromRow(row)]));
  }

  async vread(q: Queryable, type: string, id: string, versionId: string): Promise<StoredVersion> {
    const rows = /^\d{1,18}$/.test(versionId)
      ? await q.query<StoredRow>(
          `SELECT ${storedColumns()}, method FROM resource_history WHERE resource_type = $1 AND id = $2 AND version_id = $3`,
          [type, id, versionId],
        )
      : [];
    const row = rows[0];
    if (!row) throw new FhirError('resource.version-not-found', { type, id, vid: versionId });
    if (row.content === null) throw new FhirError('resource.deleted', { type, id });
    return fromRow(row, false);
  }

  /** Creates version 1: with the id the resource carries (update-as-create, pre-assigned transaction ids), else a new UUID. */
  async create(q: Queryable, resource: Resource, method: WriteMethod = 'POST'): Promise<StoredVersion> {
    const [stored] = await this.createMany(q, [resource], method);
    return stored as StoredVersion;
  }

  /**
   * Inserts new resources — current rows, history rows and index rows — in one statement whose
   * text does not depend on the count (columns go as arrays): the path a transaction's creates
   * take, so a Bundle costs one round trip.
   */
  async createMany(q: Queryable, resources: Resource[], method: WriteMethod = 'POST'): Promise<StoredVersion[]> {
    if (resources.length === 0) return [];
    const lastUpdated = new Date().toISOString();
    const stamped = resources.map((r) => stamp(r, r.id ?? randomUUID(), '1', lastUpdated));
    const stored = stamped.map(([s]) => s);
    const prepared = stamped.map(([s, body]) => this.prepare(s, body));
    const index = prepared.map((x) => x.index);
    const p = sqlParams();
    const [ts, m, types, ids, contents] = [lastUpdated, method, stored.map((s) => s.resourceType), stored.map((s) => s.id), prepared.map((x) => x.content)].map(p.add);
    const inserts = indexInserts(p, stored, index);
    try {
      await q.query(
        `WITH v AS (SELECT * FROM unnest(${types}::text[], ${ids}::text[], ${contents}::text[]) AS v(t, i, c)),
         r AS (INSERT INTO resource (resource_type, id, version_id, last_updated, content) SELECT t, i, 1, ${ts}::timestamptz, c FROM v),
         h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, content)
           SELECT t, i, 1, ${ts}::timestamptz, ${m}, c FROM v)
         ${ctes('x', inserts)}
         SELECT 1`,
        p.values,
      );
    } catch (error) {
      if (pgErrorCode(error) === PgCode.uniqueViolation) throw new FhirError('resource.concurrent-write');
      throw error;
    }
    this.announce(q, 'create', stored);
    return stored;
  }

  /**
   * Writes a new version of `Type/id`, or creates it when absent (client-assigned id).
   * `ifMatch` is the version the client last saw; a different current version is a 412.
   * Each attempt is one statement, so outside a transaction it needs no BEGIN/COMMIT.
   */
  async update(q: Queryable, resource: Resource, options: { ifMatch?: string; method?: WriteMethod } = {}): Promise<WriteResult> {
    const method = options.method ?? 'PUT';
    const [draft, body] = stamp(resource, resource.id as string, VERSION_PLACEHOLDER, new Date().toISOString());
    const { content, index } = this.prepare(draft, body);
    // Two attempts: a create that loses a race to another create of the same id becomes an update.
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await this.nextVersion(q, draft, content, method, index, options.ifMatch);
      if (result.written) {
        const stored = withVersion(resource, draft, result.written);
        this.announce(q, 'update', [stored]);
        return { stored, created: result.was_deleted === true };
      }
      if (result.current !== null || options.ifMatch !== undefined) {
        throw new FhirError('resource.version-conflict', { current: result.current ?? '-', expected: options.ifMatch ?? '-' });
      }
      const created = withVersion(resource, draft, '1');
      if (await this.insertIfAbsent(q, created, content.replaceAll(VERSION_PLACEHOLDER_JSON, '1'), method, index)) {
        this.announce(q, 'create', [created]);
        return { stored: created, created: true };
      }
    }
    throw new FhirError('resource.concurrent-write');
  }

  /** Deletes `Type/id` in one statement; deleting what is absent or already deleted succeeds without a new version. */
  async delete(q: Queryable, type: string, id: string, options: { ifMatch?: string } = {}): Promise<StoredVersion | undefined> {
    const p = sqlParams();
    const lastUpdated = new Date().toISOString();
    const [t, i, ts] = [type, id, lastUpdated].map(p.add);
    const [result] = await q.query<VersionResult>(
      `WITH cur AS (SELECT version_id, deleted FROM resource WHERE resource_type = ${t} AND id = ${i} FOR UPDATE),
       r AS (UPDATE resource SET version_id = cur.version_id + 1, last_updated = ${ts}::timestamptz, deleted = true, content = NULL
         FROM cur WHERE resource.resource_type = ${t} AND resource.id = ${i} AND NOT cur.deleted
         ${options.ifMatch !== undefined ? `AND cur.version_id = ${p.add(options.ifMatch)}::bigint` : ''}
         RETURNING resource.version_id, resource.last_updated),
       h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, content)
         SELECT ${t}, ${i}, version_id, last_updated, 'DELETE', NULL FROM r)
       ${ctes('d', indexDeletes(t as string, i as string, WRITTEN))}
       ${VERSION_RESULT}`,
      p.values,
    );
    if (result?.written) {
      const deleted: StoredVersion = { resourceType: type, id, versionId: result.written, lastUpdated, deleted: true, json: null };
      this.announce(q, 'delete', [deleted]);
      return deleted;
    }
    if (options.ifMatch !== undefined && options.ifMatch !== result?.current) {
      throw new FhirError('resource.version-conflict', { current: result?.current ?? '-', expected: options.ifMatch });
    }
    return undefined;
  }

  /**
   * The next version of an existing resource in one statement: lock the row, check If-Match,
   * write current and history rows, replace the index rows (a DELETE sees the statement's
   * snapshot, so it never removes the rows the same statement inserts). The version number is
   * only known inside the statement, so the JSON carries a placeholder that SQL fills in.
   */
  private async nextVersion(q: Queryable, draft: StoredVersion, content: string, method: string, index: IndexRows, ifMatch: string | undefined): Promise<VersionResult> {
    const p = sqlParams();
    const [t, i, ts, c, ph] = [draft.resourceType, draft.id, draft.lastUpdated, content, VERSION_PLACEHOLDER_JSON].map(p.add);
    const [result] = await q.query<VersionResult>(
      `WITH cur AS (SELECT version_id, deleted FROM resource WHERE resource_type = ${t} AND id = ${i} FOR UPDATE),
       r AS (UPDATE resource SET version_id = cur.version_id + 1, last_updated = ${ts}::timestamptz, deleted = false,
           content = replace(${c}, ${ph}, (cur.version_id + 1)::text)
         FROM cur WHERE resource.resource_type = ${t} AND resource.id = ${i}
         ${ifMatch !== undefined ? `AND cur.version_id = ${p.add(ifMatch)}::bigint` : ''}
         RETURNING resource.version_id, resource.content),
       h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, content)
         SELECT ${t}, ${i}, version_id, ${ts}::timestamptz, ${p.add(method)}, content FROM r)
       ${ctes('d', indexDeletes(t as string, i as string, WRITTEN))}
       ${ctes('x', indexInserts(p, [draft], [index], WRITTEN))}
       ${VERSION_RESULT}`,
      p.values,
    );
    return result ?? { current: null, was_deleted: null, written: null };
  }

  /** Version 1 of a client-assigned id unless another writer created it first (then false). */
  private async insertIfAbsent(q: Queryable, stored: StoredVersion, content: string, method: string, index: IndexRows): Promise<boolean> {
    const p = sqlParams();
    const [t, i, ts, c] = [stored.resourceType, stored.id, stored.lastUpdated, content].map(p.add);
    const rows = await q.query(
      `WITH r AS (INSERT INTO resource (resource_type, id, version_id, last_updated, content)
         VALUES (${t}, ${i}, 1, ${ts}::timestamptz, ${c}) ON CONFLICT (resource_type, id) DO NOTHING RETURNING id),
       h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, content)
         SELECT ${t}, ${i}, 1, ${ts}::timestamptz, ${p.add(method)}, ${c} FROM r)
       ${ctes('x', indexInserts(p, [stored], [index], WRITTEN))}
       SELECT id FROM r`,
      p.values,
    );
    return rows.length > 0;
  }

  /**
   * Rebuilds the index rows of up to `limit` current resources after `after` (keyset order), in
   * the caller's transaction; returns the last key done, or undefined when there is nothing left.
   */
  async reindexBatch(q: Queryable, type: string | undefined, after: [string, string], limit: number): Promise<{ count: number; last?: [string, string] }> {
    const rows = await q.query<{ resource_type: string; id: string; content: string }>(
      `SELECT resource_type, id, content FROM resource
       WHERE NOT deleted AND (resource_type, id) > ($1, $2) ${type ? 'AND resource_type = $4' : ''}
       ORDER BY resource_type, id LIMIT $3 FOR UPDATE`,
      type ? [after[0], after[1], limit, type] : [after[0], after[1], limit],
    );
    if (rows.length === 0) {
      // The end of a run: rows of contained resources no container has any more go too.
      await q.query(`WITH ${containedOrphanDeletes().map((sql, k) => `d${k} AS (${sql})`).join(', ')} SELECT 1`);
      return { count: 0 };
    }
    const keys = rows.map((r) => ({ resourceType: r.resource_type, id: r.id }));
    const p = sqlParams();
    const [types, ids] = [keys.map((k) => k.resourceType), keys.map((k) => k.id)].map(p.add);
    await q.query(`WITH ${indexDeletesMany(types as string, ids as string).map((sql, k) => `d${k} AS (${sql})`).join(', ')} SELECT 1`, p.values);
    const p2 = sqlParams();
    const inserts = indexInserts(p2, keys, rows.map((r) => extractIndex(this.indexed(JSON.parse(openStored(r.content, r.resource_type, r.id)) as Record<string, unknown>))));
    if (inserts.length) await q.query(`WITH ${inserts.map((sql, k) => `x${k} AS (${sql})`).join(', ')} SELECT 1`, p2.values);
    const last = rows[rows.length - 1] as { resource_type: string; id: string };
    return { count: rows.length, last: [last.resource_type, last.id] };
  }
}

const WRITTEN = 'EXISTS (SELECT 1 FROM r)';

/** Statements as further CTEs of a WITH clause that already has at least one. */
function ctes(prefix: string, statements: string[]): string {
  return statements.map((sql, k) => `, ${prefix}${k} AS (${sql})`).join('');
}

/**
 * Sets id and meta on the resource (in place: the caller's copy is the one being written) and
 * serialises it with resourceType, id and meta first, as people expect to read it.
 */
function stamp(resource: Resource, id: string, versionId: string, lastUpdated: string): [StoredVersion, Record<string, unknown>] {
  const { resourceType, id: _ignored, meta, ...rest } = resource as Resource & Record<string, unknown>;
  const { versionId: _v, lastUpdated: _l, ...otherMeta } = meta ?? {};
  const newMeta = { versionId, lastUpdated, ...otherMeta };
  Object.assign(resource, { id, meta: newMeta });
  const body = { resourceType, id, meta: newMeta, ...rest };
  return [{ resourceType, id, versionId, lastUpdated, deleted: false, json: JSON.stringify(body) }, body];
}
