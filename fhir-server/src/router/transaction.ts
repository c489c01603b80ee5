import { randomUUID } from 'node:crypto';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { FhirError, type IssueInput } from '../errors/fhir-error.js';
import { toOperationOutcome } from '../errors/outcome.js';
import type { Queryable } from '../repository/db.js';
import type { StoredVersion } from '../repository/stored.js';
import { assertValid } from '../validation/validate.js';
import { requireResource } from './body.js';
import { criteriaParams, describeCriteria, findMatches } from './conditional.js';
import { entryResponse, parseEntry, type ParsedEntry } from './entries.js';
import { forEachReference } from './references.js';
import { storedResponse } from './responses.js';
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
  const entries = (bundle.entry ?? []).map((entry, index) => atEntry(index, () => parseEntry(entry, index, outer.baseUrl)));
  checkDuplicates(entries);
  const responses: FhirResponse[] = new Array(entries.length);
  const byOrder = [...entries].sort((a, b) => (ORDER[a.method] ?? 9) - (ORDER[b.method] ?? 9) || a.index - b.index);

  for (const e of byOrder.filter((x) => x.method === 'DELETE')) {
    responses[e.index] = await atEntry(e.index, () => dispatch(q, e.request));
  }
  const ids = await atEntries(entries, (e) => assignIds(q, e));
  const idMap = new Map<string, string>();
  for (const e of entries) {
    const target = ids.get(e.index);
    if (e.fullUrl && target) idMap.set(e.fullUrl, target.ref);
  }
  const conditionalRefs = new Map<string, string>();
  for (const e of entries) {
    if (e.resource) await atEntry(e.index, () => rewriteReferences(q, e.resource as Resource, idMap, conditionalRefs));
  }

  const creates = entries.filter((e) => e.method === 'POST' && ids.get(e.index)?.existing === undefined && ids.get(e.index));
  for (const e of creates) atEntry(e.index, () => assertValid(e.resource));
  const created = await ctx.repo.createMany(q, creates.map((e) => e.resource as Resource));
  creates.forEach((e, i) => (responses[e.index] = storedResponse(201, created[i] as StoredVersion, true)));
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

/** Fixes the id every POST and PUT entry will have, so references to its fullUrl can be rewritten before any write. */
async function assignIds(q: Queryable, e: ParsedEntry): Promise<Target | undefined> {
  if (e.method === 'POST') {
    const resource = requireResource(e.resource, e.path.type as string);
    if (e.request.ifNoneExist !== undefined) {
      const type = resource.resourceType;
      const params = criteriaParams(e.request.ifNoneExist);
      const matches = await findMatches(q, type, params);
      if (matches.length > 1) throw new FhirError('conditional.multiple-matches', { criteria: describeCriteria(type, params), count: matches.length });
      if (matches[0]) return { ref: `${type}/${matches[0].id}`, existing: matches[0] };
    }
    resource.id = randomUUID();
    return { ref: `${resource.resourceType}/${resource.id}` };
  }
  if (e.method === 'PUT' && e.path.type) {
    if (e.path.id) return { ref: `${e.path.type}/${e.path.id}` };
    const matches = await findMatches(q, e.path.type, e.request.query);
    if (matches.length > 1) throw new FhirError('conditional.multiple-matches', { criteria: describeCriteria(e.path.type, e.request.query), count: matches.length });
    const body = e.resource as Resource | undefined;
    const id = matches[0]?.id ?? body?.id ?? randomUUID();
    if (body && body.id === undefined) body.id = id;
    return { ref: `${e.path.type}/${id}` };
  }
  return undefined;
}

async function rewriteReferences(q: Queryable, resource: Resource, idMap: Map<string, string>, cache: Map<string, string>): Promise<void> {
  const conditional: { reference: string }[] = [];
  forEachReference(resource, (holder) => {
    const mapped = idMap.get(holder.reference);
    if (mapped) holder.reference = mapped;
    else if (holder.reference.startsWith('urn:uuid:') || holder.reference.startsWith('urn:oid:')) {
      throw new FhirError('bundle.reference-unresolved', { reference: holder.reference });
    } else if (/^[A-Z][A-Za-z]+\?/.test(holder.reference)) conditional.push(holder);
  });
  for (const holder of conditional) {
    const original = holder.reference;
    let resolved = cache.get(original);
    if (!resolved) {
      const [type = '', criteria = ''] = original.split(/\?(.*)/s);
      const matches = await findMatches(q, type, criteriaParams(criteria));
      if (matches.length === 0) throw new FhirError('bundle.conditional-reference-none', { reference: original });
      if (matches.length > 1) throw new FhirError('bundle.conditional-reference-multiple', { reference: original });
      resolved = `${type}/${(matches[0] as StoredVersion).id}`;
      cache.set(original, resolved);
    }
    holder.reference = resolved;
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

async function atEntries<T>(entries: ParsedEntry[], work: (e: ParsedEntry) => Promise<T | undefined>): Promise<Map<number, T>> {
  const results = new Map<number, T>();
  for (const e of entries) {
    const value = await atEntry(e.index, () => work(e));
    if (value !== undefined) results.set(e.index, value);
  }
  return results;
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

