import type { Bundle, Resource } from '@medplum/fhirtypes';
import { guarded } from '../access/guard.js';
import { isUnrestricted } from '../auth/principal.js';
import { isKnownResourceType } from '../definitions/r4.js';
import { FhirError } from '../errors/fhir-error.js';
import { PgCode, pgErrorCode, type Queryable } from '../repository/db.js';
import { findOperation, runsAt } from '../operations/registry.js';
import { assertAuditWritable } from '../audit/immutable.js';
import { audited, type WriteAudit } from '../audit/interaction.js';
import { processBatch } from './batch.js';
import { capabilities } from './capabilities.js';
import { history } from './history.js';
import { parsePath } from './path.js';
import { read, vread } from './read.js';
import { search } from './search.js';
import { processTransaction } from './transaction.js';
import type { Context, FhirRequest, FhirResponse, Interaction, Method, ParsedPath } from './types.js';
import { create, patch, remove, update } from './write.js';

/** Path shapes: which parts of `[type]/[id]/[keyword]/[vid]` are present. */
type Shape = 'base' | 'metadata' | 'history' | 'search' | 'type' | 'type-search' | 'type-history' | 'instance' | 'instance-history' | 'version' | 'compartment';

/** The interactions, as data: the router and the CapabilityStatement both read this table. */
export const ROUTES: Record<Shape, Partial<Record<Method, Interaction>>> = {
  // POST to the base (batch/transaction) is handled in `handle`: it manages its own database transactions.
  base: { GET: search },
  metadata: { GET: capabilities },
  history: { GET: history },
  search: { POST: search },
  type: { GET: search, POST: create, PUT: update, DELETE: remove, PATCH: patch },
  'type-search': { POST: search },
  'type-history': { GET: history },
  instance: { GET: read, PUT: update, DELETE: remove, PATCH: patch },
  'instance-history': { GET: history },
  version: { GET: vread },
  compartment: { GET: search },
};

function shapeOf(path: ParsedPath): Shape | undefined {
  const { type, id, keyword, versionId } = path;
  if (path.compartment) return 'compartment';
  if (!type) {
    if (!keyword) return 'base';
    return keyword === 'metadata' ? 'metadata' : keyword === '_history' ? 'history' : keyword === '_search' ? 'search' : undefined;
  }
  if (!id) return !keyword ? 'type' : keyword === '_history' ? 'type-history' : keyword === '_search' ? 'type-search' : undefined;
  if (!keyword) return 'instance';
  if (keyword === '_history') return versionId ? 'version' : 'instance-history';
  return undefined;
}

/** Runs one interaction on `q` (a transaction for writes); the place batch entries and operations come through too. */
export async function dispatch(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const path = parsePath(req.path);
  if (path.type && !isKnownResourceType(path.type)) throw new FhirError('resource.type-unknown', { type: path.type });
  assertAuditWritable(path, req.method);
  if (path.keyword?.startsWith('$')) return guarded(ctx, q, req, path, () => runOperation(ctx, q, req, path));
  const shape = shapeOf(path);
  if (!shape) throw new FhirError('route.not-found', { method: req.method, path: `/${req.path}` });
  const interaction = ROUTES[shape][req.method === 'HEAD' ? 'GET' : req.method];
  if (!interaction) throw new FhirError('route.method-not-allowed', { method: req.method, path: `/${req.path}` });
  return guarded(ctx, q, req, path, () => interaction(ctx, q, req, path));
}

function runOperation(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const name = path.keyword as string;
  const op = findOperation(name);
  if (!op || !runsAt(op, path)) throw new FhirError('operation.unknown', { name: name.slice(1) });
  if (op.affectsState && req.method !== 'POST') throw new FhirError('route.method-not-allowed', { method: req.method, path: `/${req.path}` });
  return op.handler(ctx, q, req, path);
}

const RETRIES = 3;

/**
 * Entry point for one request: reads run without a transaction, every write in exactly one,
 * which also holds the write's audit record; every request is audited (see audit/interaction).
 */
export function handle(ctx: Context, req: FhirRequest): Promise<FhirResponse> {
  return audited(ctx, req, (audit) => route(ctx, req, audit));
}

async function route(ctx: Context, req: FhirRequest, audit: WriteAudit): Promise<FhirResponse> {
  if (req.method === 'GET' || req.method === 'HEAD') return dispatch(ctx, ctx.db, req);
  if (req.method === 'POST' && req.path.replace(/\//g, '') === '') return postBundle(ctx, req, audit);
  const path = parsePath(req.path);
  if (findOperation(path.keyword ?? '')?.ownTransactions) return dispatch(ctx, ctx.db, req);
  if (ctx.config.audit === 'off' && writesInOneStatement(req, path)) return dispatch(ctx, ctx.db, req);
  return inTransaction(ctx, async (q) => audit.recordIn(q, await dispatch(ctx, q, req)));
}

/**
 * Plain create, update and delete by id write with single statements (see Repository), and a
 * statement is a transaction of its own: BEGIN/COMMIT around it would only add round trips.
 * With auditing on (the default, and what 等保 requires) the audit record has to commit with the
 * change, so they run in a transaction like every other write; `QIAO_AUDIT=off` (measurement
 * only) keeps the single statement.
 */
function writesInOneStatement(req: FhirRequest, path: ParsedPath): boolean {
  // A restricted principal's write is checked after it is made, and a refusal must roll it back.
  if (path.keyword || !isUnrestricted(req.principal)) return false;
  if (req.method === 'POST') return !!path.type && !path.id && req.ifNoneExist === undefined;
  return (req.method === 'PUT' || req.method === 'DELETE') && !!path.id;
}

async function inTransaction<T>(ctx: Context, work: (q: Queryable) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction(work);
    } catch (error) {
      const code = pgErrorCode(error);
      const retryable = code === PgCode.deadlockDetected || code === PgCode.serializationFailure;
      if (!retryable || attempt >= RETRIES) throw error;
    }
  }
}

async function postBundle(ctx: Context, req: FhirRequest, audit: WriteAudit): Promise<FhirResponse> {
  if (typeof req.body !== 'object' || req.body === null) throw new FhirError('body.empty');
  const body = req.body as Bundle;
  if (body.resourceType !== 'Bundle') {
    throw new FhirError('resource.type-mismatch', { actual: String(body.resourceType), expected: 'Bundle' }, 'resourceType');
  }
  if ((body.entry?.length ?? 0) > ctx.config.maxBundleEntries) throw new FhirError('bundle.too-many-entries', { limit: ctx.config.maxBundleEntries });
  if (body.type === 'transaction') {
    return inTransaction(ctx, async (q) => {
      const out = await processTransaction(ctx, q, body, req, (tq, entryReq) => dispatch(ctx, tq, entryReq));
      return audit.recordIn(q, { status: 200, body: out as unknown as Resource });
    });
  }
  if (body.type === 'batch') {
    const out = await processBatch(body, req, (entryReq) => handle(ctx, entryReq));
    return { status: 200, body: out as unknown as Resource };
  }
  throw new FhirError('bundle.type-invalid', { type: String(body.type) }, 'Bundle.type');
}
