import { isUnrestricted, type Principal } from '../auth/principal.js';
import type { ScopeInteraction } from '../auth/scopes.js';
import { resourceTypes } from '../definitions/r4.js';
import { FhirError } from '../errors/fhir-error.js';
import { findOperation } from '../operations/registry.js';
import type { Queryable } from '../repository/db.js';
import { sqlParams } from '../repository/sql-params.js';
import type { StoredVersion } from '../repository/stored.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../router/types.js';
import { ConditionBuilder } from '../search/sql/conditions.js';
import { firstMatchesOfEach } from '../search/execute.js';
import { parseSearch } from '../search/parse.js';
import { ANONYMOUS_PRINCIPAL } from './anonymous.js';
import { loadBreakGlass } from './break-glass.js';
import { OPERATION_RULES } from './operations.js';
import { decide, type AccessSettings, type Decision } from './policy.js';
import { historyInReach, vreadInReach } from './versions.js';
import { visibleKeys } from './visible.js';

const NAMES: Record<ScopeInteraction, string> = { c: 'create (c)', r: 'read (r)', u: 'update (u)', d: 'delete (d)', s: 'search (s)' };

/**
 * The check point of every interaction (router `dispatch`): REST, each batch/transaction entry,
 * and the reads and writes operations make with the caller's principal. Unrestricted principals
 * pass straight through. Searches are narrowed where they run (access/search.ts); here the
 * type-level permission, the instance in reach before, and what a write leaves behind after.
 * A resource out of reach answers 404 exactly as an absent one, so that ids reveal nothing.
 */
export async function guarded(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath, run: () => Promise<FhirResponse>): Promise<FhirResponse> {
  const principal = req.principal;
  if (isUnrestricted(principal)) return run();
  if (path.keyword === 'metadata') return run();
  if (principal === ANONYMOUS_PRINCIPAL) throw new FhirError('auth.token-missing');
  await loadBreakGlass(q, principal);
  const settings = ctx.config;
  const type = path.type;
  if (path.keyword?.startsWith('$')) return operation(q, req, path, settings, run);
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  if (method === 'GET' && path.keyword === '_history' && !path.id) {
    // A history page lists versions by time: filtering it would still tell what exists, so a token must reach every resource of the types.
    for (const t of type ? [type] : resourceTypes()) requireWhole(principal, settings, t, 'r', '_history');
    return run();
  }
  if (method === 'GET' && path.id) {
    const filters = require(principal, settings, type as string, 'r');
    const res = await run();
    if (filters.length === 0) return res;
    // Old versions are judged by their own content (access/versions.ts), the current one here.
    if (path.keyword === '_history' && path.versionId) return vreadInReach(ctx, q, filters, type as string, path.id, path.versionId, res);
    if (path.keyword === '_history') return historyInReach(ctx, q, filters, type as string, path.id, res);
    if (!(await inReach(q, filters, type as string, path.id))) throw notFound(type as string, path.id);
    return res;
  }
  if (method === 'GET' || (method === 'POST' && path.keyword === '_search')) {
    if (type) require(principal, settings, type, 's');
    return run();
  }
  if (!type) return run();
  if (method === 'POST') return written(q, type, allowed(principal, settings, type, 'c').reach, run);
  if (!path.id) {
    // Conditional update, patch or delete: the write finds its match; it must be one the token reaches.
    const interaction = method === 'DELETE' ? 'd' : 'u';
    const { reach: inside } = allowed(principal, settings, type, interaction);
    await conditionalMatchInReach(q, principal, settings, type, req.query, interaction);
    return method === 'DELETE' ? run() : written(q, type, inside, run);
  }
  const current = await reach(q, principal, settings, type, path.id, method === 'DELETE' ? 'd' : 'u');
  if (current === 'hidden') throw notFound(type, path.id);
  if (method === 'DELETE') return run();
  const interaction = current === 'absent' ? 'c' : 'u';
  return written(q, type, allowed(principal, settings, type, interaction).reach, run);
}

/** The filters the principal's access to `type` imposes; throws 403 when it has none. */
function require(principal: Principal, settings: AccessSettings, type: string, interaction: ScopeInteraction) {
  return allowed(principal, settings, type, interaction).filters;
}

function allowed(principal: Principal, settings: AccessSettings, type: string, interaction: ScopeInteraction): Extract<Decision, { allowed: true }> {
  const decision = decide(principal, settings, type, interaction);
  if (!decision.allowed) throw new FhirError(decision.reason === 'scope' ? 'access.scope-insufficient' : 'access.role-forbidden', { type, interaction: NAMES[interaction] });
  return decision;
}

/** For what looks across a whole type (MPI matching, type history): a token that reaches only part of it is refused. */
function requireWhole(principal: Principal, settings: AccessSettings, type: string, interaction: ScopeInteraction, what: string): void {
  if (allowed(principal, settings, type, interaction).partial) throw new FhirError('access.whole-type-required', { what, whatEn: what, type });
}

/** After a create or update: the version written must be one the token reaches (same transaction, so a refusal rolls it back). */
async function written(q: Queryable, type: string, filters: ReturnType<typeof require>, run: () => Promise<FhirResponse>): Promise<FhirResponse> {
  const res = await run();
  const v = res.version;
  if (filters.length > 0 && v && !v.deleted && !(await inReach(q, filters, type, v.id))) throw new FhirError('access.write-out-of-reach', { type });
  return res;
}

async function operation(q: Queryable, req: FhirRequest, path: ParsedPath, settings: AccessSettings, run: () => Promise<FhirResponse>): Promise<FhirResponse> {
  const name = (path.keyword as string).slice(1);
  const rule = OPERATION_RULES[name] ?? { interaction: findOperation(name)?.affectsState ? 'u' : 'r' };
  if (rule.inner || !rule.interaction) return run();
  const types = path.type ? [path.type] : rule.type ? [rule.type] : rule.wholeType ? resourceTypes() : [];
  for (const type of types) {
    if (rule.wholeType && !path.id) requireWhole(req.principal, settings, type, rule.interaction, `$${name}`);
    else require(req.principal, settings, type, rule.interaction);
  }
  if (path.type && path.id) {
    const current = await reach(q, req.principal, settings, path.type, path.id, rule.interaction);
    if (current === 'hidden') throw notFound(path.type, path.id);
  }
  return run();
}

async function conditionalMatchInReach(q: Queryable, principal: Principal, settings: AccessSettings, type: string, query: [string, string][], interaction: ScopeInteraction): Promise<void> {
  let matches: StoredVersion[];
  try {
    // As the write will search (at most two: more is an error the write reports).
    [matches = []] = await firstMatchesOfEach(q, [parseSearch(type, query.filter(([name]) => name !== '_format'))], 2);
  } catch {
    return; // invalid criteria: the write itself answers with the precise error
  }
  const visible = await visibleKeys(q, principal, settings, matches, interaction);
  if (matches.some((m) => !visible.has(`${m.resourceType}/${m.id}`))) throw new FhirError('access.write-out-of-reach', { type });
}

/** Whether the current version of `type/id` matches `filters`. */
async function inReach(q: Queryable, filters: Parameters<ConditionBuilder['where']>[0], type: string, id: string): Promise<boolean> {
  const p = sqlParams();
  const where = new ConditionBuilder(p).where(filters, 'r', type);
  const rows = await q.query(`SELECT 1 FROM resource r WHERE r.id = ${p.add(id)} AND ${where.join(' AND ')}`, p.values);
  return rows.length > 0;
}

/** Whether `type/id` exists now, and if so whether the principal reaches it for `interaction`. */
async function reach(q: Queryable, principal: Principal, settings: AccessSettings, type: string, id: string, interaction: ScopeInteraction): Promise<'absent' | 'visible' | 'hidden'> {
  const filters = require(principal, settings, type, interaction === 'c' ? 'u' : interaction);
  const p = sqlParams();
  const visible = filters.length > 0 ? new ConditionBuilder(p).where(filters, 'r', type).join(' AND ') : 'true';
  const rows = await q.query<{ visible: boolean }>(
    `SELECT (${visible}) AS visible FROM resource r WHERE r.resource_type = ${p.add(type)} AND r.id = ${p.add(id)} AND NOT r.deleted`,
    p.values,
  );
  const row = rows[0];
  return !row ? 'absent' : row.visible ? 'visible' : 'hidden';
}

function notFound(type: string, id: string): FhirError {
  return new FhirError('resource.not-found', { type, id });
}

/**
 * A transaction's creates are written together, not through `dispatch`: before, every type must
 * permit create; after (same transaction), every created resource must be in reach, and a
 * conditional create that matched an existing resource must match one the token may read.
 */
export function assertCreatable(ctx: Context, principal: Principal, types: readonly string[]): void {
  if (isUnrestricted(principal)) return;
  for (const type of new Set(types)) allowed(principal, ctx.config, type, 'c');
}

export async function assertCreatedInReach(ctx: Context, q: Queryable, principal: Principal, created: readonly StoredVersion[], matched: readonly StoredVersion[]): Promise<void> {
  if (isUnrestricted(principal)) return;
  const inReach = await visibleKeys(q, principal, ctx.config, created, 'c', 'reach');
  const outside = created.find((v) => !inReach.has(`${v.resourceType}/${v.id}`));
  if (outside) throw new FhirError('access.write-out-of-reach', { type: outside.resourceType });
  const readable = await visibleKeys(q, principal, ctx.config, matched, 'r');
  const hidden = matched.find((v) => !readable.has(`${v.resourceType}/${v.id}`));
  if (hidden) throw new FhirError('access.write-out-of-reach', { type: hidden.resourceType });
}
