import { randomUUID } from 'node:crypto';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { assertCreatable, assertCreatedInReach } from '../access/guard.js';
import { assertAuditWritable } from '../audit/immutable.js';
import type { EdgeIssue } from '../errors/edge-issues.js';
import { FhirError, type IssueInput } from '../errors/fhir-error.js';
import { toOperationOutcome } from '../errors/outcome.js';
import type { Queryable } from '../repository/db.js';
import type { StoredVersion } from '../repository/stored.js';
import { assertValid } from '../validation/validate.js';
import { applyWriteRules } from '../hooks/write-rules.js';
import { terminologyOnWrite } from '../operations/terminology/hook.js';
import { nationalCodesFor } from '../operations/terminology/service.js';
import { requireResource } from './body.js';
import { criteriaParams, describeCriteria, findMatchesOfEach, lockCriteria, parseConditionalReference, type Criteria } from './conditional.js';
import { entryResponse, parseEntry, type ParsedEntry } from './entries.js';
import { forEachReference, localiseReferences } from './references.js';
import { storedResponse } from './responses.js';
import { withWarnings } from './write.js';
import type { Context, FhirRequest, FhirResponse } from './types.js';
import type { OutBundle } from './bundle-builder.js';

type Dispatch = (q: Queryable, req: FhirRequest) => Promise<FhirResponse>;

/** Spec processing order: deletes, then creates, then updates and patches, then reads. */
const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/**
 * Processes a transaction Bundle inside the caller's database transaction: every entry succeeds
 * or the first failure aborts the whole (the caller rolls back). Entries other than creates go
 * through the router, so they get exactly the checks of the same REST interaction.
 */
export async function processTransaction(ctx: Context, q: Queryable, bundle: Bundle, outer: FhirRequest, dispatch: Dispatch): Promise<OutBundle> {
  const entries = (bundle.entry ?? []).map((entry, index) => atEntry(index, () => parseEntry(entry, index, outer)));
  checkDuplicates(entries);
  for (const e of entries) atEntry(e.index, () => assertAuditWritable(e.path, e.method));
  const responses: FhirResponse[] = new Array(entries.length);
  const byOrder = [...entries].sort((a, b) => (ORDER[a.method] ?? 9) - (ORDER[b.method] ?? 9) || a.index - b.index);

  for (const e of byOrder.filter((x) => x.method === 'DELETE')) {
    responses[e.index] = await atEntry(e.index, () => dispatch(q, e.request));
  }
  const conditionalRefs = collectConditionalReferences(entries);
  const ids = await assignIds(q, entries, conditionalRefs);
  const idMap = new Map<string, string>();
  for (const e of entries) {
    const target = ids.get(e.index);
    if (e.fullUrl && target) idMap.set(e.fullUrl, target.ref);
  }
  rewriteReferences(entries, idMap, conditionalRefs);
  for (const e of entries) if (e.resource) localiseReferences(e.resource, outer.baseUrl);

  const creates = entries.filter((e) => e.method === 'POST' && ids.get(e.index)?.existing === undefined && ids.get(e.index));
  const codes = await nationalCodesFor(ctx, q);
  const checked = new Map(creates.map((e) => [e.index, atEntry(e.index, () => assertValid(e.resource, { requireProfiles: ctx.config.requireProfiles, codes }))]));
  const warnings = new Map<number, EdgeIssue[]>();
  for (const e of creates) {
    const resource = e.resource as Resource;
    warnings.set(e.index, await atEntry(e.index, async () => [...(await terminologyOnWrite(ctx, q, resource)), ...(await applyWriteRules(ctx, q, outer.principal, 'create', resource))]));
  }
  assertCreatable(ctx, outer.principal, creates.map((e) => (e.resource as Resource).resourceType));
  const created = await ctx.repo.createMany(q, creates.map((e) => e.resource as Resource));
  const matched = entries.flatMap((e) => (e.method === 'POST' && ids.get(e.index)?.existing ? [ids.get(e.index)?.existing as StoredVersion] : []));
  await assertCreatedInReach(ctx, q, outer.principal, created, matched);
  creates.forEach((e, i) => (responses[e.index] = withWarnings(storedResponse(201, created[i] as StoredVersion, true), checked.get(e.index) ?? [], warnings.get(e.index) ?? [])));
  for (const e of entries) {
    const existing = ids.get(e.index)?.existing;
    if (e.method === 'POST' && existing) responses[e.index] = storedResponse(200, existing, true);
  }

  for (const e of byOrder.filter((x) => x.method !== 'DELETE' && x.method !== 'POST')) {
    const target = ids.get(e.index);
    const request = target ? { ...e.request, path: target.ref, query: [] } : e.request;
    responses[e.index] = e.method === 'GET' || e.method === 'HEAD' ? await readEntry(q, request, dispatch) : await atEntry(e.index, () => dispatch(q, request));
  }
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    type: 'transaction-response',
    entry: entries.map((e) => entryResponse(responses[e.index] as FhirResponse, outer)),
  };
}

/** A read changes nothing, so its failure (e.g. 410 after a delete in the same Bundle) is its own answer, not the Bundle's. */
async function readEntry(q: Queryable, request: FhirRequest, dispatch: Dispatch): Promise<FhirResponse> {
  try {
    return await dispatch(q, request);
  } catch (error) {
    if (!(error instanceof FhirError)) throw error;
    return { status: error.status, body: toOperationOutcome(error.issues) };
  }
}

interface Target {
  /** `Type/id` the entry's fullUrl stands for. */
  ref: string;
  /** For a conditional create that matched: the existing resource. */
  existing?: StoredVersion;
}

/**
 * Fixes the id every POST and PUT entry will have, so references to its fullUrl can be rewritten
 * before any write. Conditional creates and updates are matched together, in one statement.
 */
async function assignIds(q: Queryable, entries: ParsedEntry[], refs: ConditionalReferences): Promise<Map<number, Target>> {
  const targets = new Map<number, Target>();
  const conditional: { entry: ParsedEntry; criteria: Criteria }[] = [];
  for (const e of entries) {
    atEntry(e.index, () => {
      if (e.method === 'POST') {
        const resource = requireResource(e.resource, e.path.type as string);
        if (e.request.ifNoneExist !== undefined) conditional.push({ entry: e, criteria: { type: resource.resourceType, params: criteriaParams(e.request.ifNoneExist) } });
      } else if (e.method === 'PUT' && e.path.type) {
        if (e.path.id) targets.set(e.index, { ref: `${e.path.type}/${e.path.id}` });
        else conditional.push({ entry: e, criteria: { type: e.path.type, params: e.request.query } });
      }
    });
  }
  await lockCriteria(q, conditional.map((c) => c.criteria));
  // Conditional references are looked up in the same statement: one round trip for all lookups.
  const found = await findMatchesOfEach(q, [...conditional.map((c) => c.criteria), ...refs.distinct.map(parseConditionalReference)]);
  refs.distinct.forEach((reference, i) => refs.resolved.set(reference, found[conditional.length + i] ?? []));
  conditional.forEach(({ entry, criteria }, i) => {
    const matches = found[i] ?? [];
    if (matches.length > 1) {
      throw withEntry(new FhirError('conditional.multiple-matches', { criteria: describeCriteria(criteria.type, criteria.params), count: matches.length }), entry.index);
    }
    const match = matches[0];
    if (entry.method === 'POST' && match) targets.set(entry.index, { ref: `${criteria.type}/${match.id}`, existing: match });
    if (entry.method === 'PUT') {
      const body = entry.resource as Resource | undefined;
      const id = match?.id ?? body?.id ?? randomUUID();
      if (body && body.id === undefined) body.id = id;
      targets.set(entry.index, { ref: `${criteria.type}/${id}` });
    }
  });
  for (const e of entries) {
    if (e.method !== 'POST' || targets.has(e.index)) continue;
    const resource = e.resource as Resource;
    resource.id = randomUUID();
    targets.set(e.index, { ref: `${resource.resourceType}/${resource.id}` });
  }
  return targets;
}

interface ConditionalReferences {
  holders: { index: number; holder: { reference: string } }[];
  distinct: string[];
  resolved: Map<string, StoredVersion[]>;
}

function collectConditionalReferences(entries: ParsedEntry[]): ConditionalReferences {
  const holders: ConditionalReferences['holders'] = [];
  for (const e of entries) {
    forEachReference(e.resource, (holder) => {
      if (/^[A-Z][A-Za-z]+\?/.test(holder.reference)) holders.push({ index: e.index, holder });
    });
  }
  return { holders, distinct: [...new Set(holders.map((h) => h.holder.reference))], resolved: new Map() };
}

/** Points references at the ids fixed above and at what conditional references matched. */
function rewriteReferences(entries: ParsedEntry[], idMap: Map<string, string>, refs: ConditionalReferences): void {
  for (const { index, holder } of refs.holders) {
    const matches = refs.resolved.get(holder.reference) ?? [];
    if (matches.length !== 1) {
      const messageId = matches.length === 0 ? 'bundle.conditional-reference-none' : 'bundle.conditional-reference-multiple';
      throw withEntry(new FhirError(messageId, { reference: holder.reference }), index);
    }
    const match = matches[0] as StoredVersion;
    holder.reference = `${match.resourceType}/${match.id}`;
  }
  for (const e of entries) {
    if (!e.resource) continue;
    atEntry(e.index, () =>
      forEachReference(e.resource, (holder) => {
        const mapped = idMap.get(holder.reference);
        if (mapped) holder.reference = mapped;
        else if (holder.reference.startsWith('urn:uuid:') || holder.reference.startsWith('urn:oid:')) {
          throw new FhirError('bundle.reference-unresolved', { reference: holder.reference });
        }
      }),
    );
  }
}

function checkDuplicates(entries: ParsedEntry[]): void {
  const fullUrls = new Set<string>();
  const targets = new Set<string>();
  for (const e of entries) {
    if (e.fullUrl) {
      if (fullUrls.has(e.fullUrl)) throw withEntry(new FhirError('bundle.duplicate-fullurl', { url: e.fullUrl }), e.index);
      fullUrls.add(e.fullUrl);
    }
    if ((e.method === 'PUT' || e.method === 'DELETE' || e.method === 'PATCH') && e.path.id) {
      const key = `${e.path.type}/${e.path.id}`;
      if (targets.has(key)) throw withEntry(new FhirError('bundle.duplicate-target', { url: key }), e.index);
      targets.add(key);
    }
  }
}

/** Runs work for entry `index`, re-pointing any error's expressions into that entry. */
export function atEntry<T>(index: number, work: () => T): T {
  try {
    const result = work();
    if (result instanceof Promise) return result.catch((error: unknown) => Promise.reject(withEntry(error, index))) as T;
    return result;
  } catch (error) {
    throw withEntry(error, index);
  }
}

function withEntry(error: unknown, index: number): unknown {
  if (!(error instanceof FhirError) || error.issues.some((i) => i.expression?.startsWith('Bundle.'))) return error;
  for (const issue of error.issues as IssueInput[]) {
    issue.expression = issue.expression
      ? `Bundle.entry[${index}].resource${issue.expression.replace(/^[A-Z][A-Za-z]*(?=\.|$)/, '')}`
      : `Bundle.entry[${index}]`;
  }
  return error;
}

