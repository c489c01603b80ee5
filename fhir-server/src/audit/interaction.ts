import { findOperation } from '../operations/registry.js';
import type { Queryable } from '../repository/db.js';
import type { Context, FhirRequest, FhirResponse } from '../router/types.js';
import { describeInteraction } from './describe.js';
import { AUDIT, auditEvent, type AuditFacts } from './event.js';
import { auditLog, type AuditLog } from './log.js';
import { inScope } from './scope.js';

/** Given to the router's write path: records the interaction in the write's own transaction. */
export interface WriteAudit {
  /** Call last in the transaction, with the interaction's response; returns it unchanged. */
  recordIn(q: Queryable, res: FhirResponse): Promise<FhirResponse>;
}

const UNAUDITED: WriteAudit = { recordIn: async (_q, res) => res };

/**
 * Runs one FHIR interaction with its audit record. A write records itself through `recordIn`
 * in its transaction, so the change and its record commit or roll back together. A successful
 * read, search or operation that changes nothing (`$everything`, `$validate`, `$expand`…) is queued
 * and written in a batch moments later (reads must stay fast); every other outcome — operations
 * that manage their own transactions, and every failure (a failed write's transaction has rolled
 * back) — is written before the response goes out.
 */
export function audited(ctx: Context, req: FhirRequest, run: (audit: WriteAudit) => Promise<FhirResponse>): Promise<FhirResponse> {
  const log = auditLog(ctx);
  if (!log.enabled) return run(UNAUDITED);
  return inScope(async () => {
    let recorded = false;
    const audit: WriteAudit = {
      async recordIn(q, res) {
        await log.writeIn(q, [auditEvent(describeInteraction(req, res, undefined, await deletedContent(q, res)))]);
        recorded = true;
        return res;
      },
    };
    let res: FhirResponse;
    try {
      res = await run(audit);
    } catch (error) {
      await writeNow(log, describeInteraction(req, undefined, error));
      throw error;
    }
    if (recorded) return res;
    const facts = describeInteraction(req, res);
    if (readsOnly(facts)) log.enqueue(auditEvent(facts));
    else await writeNow(log, facts);
    return res;
  });
}

function readsOnly(facts: AuditFacts): boolean {
  if (facts.action === 'R' || facts.subtype[0]?.code?.startsWith('search')) return true;
  const name = facts.subtype.find((s) => s.system === AUDIT.qiaoEvent)?.code;
  const operation = name ? findOperation(name) : undefined;
  return operation !== undefined && !operation.affectsState && !operation.ownTransactions;
}

/** The version a delete removed (its patient is what the record must name); one read, deletes only. */
async function deletedContent(q: Queryable, res: FhirResponse): Promise<string | undefined> {
  const v = res.version;
  if (!v?.deleted) return undefined;
  const [row] = await q.query<{ content: string | null }>(
    'SELECT content FROM resource_history WHERE resource_type = $1 AND id = $2 AND version_id = $3::bigint - 1',
    [v.resourceType, v.id, v.versionId],
  );
  return row?.content ?? undefined;
}

/** Written at once; if the database refuses, queued for retry rather than failing the request. */
async function writeNow(log: AuditLog, facts: AuditFacts): Promise<void> {
  const event = auditEvent(facts);
  try {
    await log.write([event]);
  } catch {
    log.enqueue(event);
  }
}
