import type { Queryable } from '../../repository/db.js';
import { fullUrl } from '../../router/bundle-builder.js';
import { criteriaParams } from '../../router/conditional.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { extractIndex } from '../../search/index/extract.js';
import { parseToken, splitOr } from '../../search/parse-values.js';
import { get } from './fhir-io.js';

type Json = Record<string, unknown>;

/**
 * The people and places a document names besides its patient. After a hospital's first import
 * they exist: its custodian, its doctors and their roles, its wards.
 */
const SHARED_TYPES = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location']);

/** A conditional create of the transaction that found its resource before the transaction ran. */
interface Resolved {
  index: number;
  urn: string;
  resource: Json;
}

/**
 * Looks up, before the import's transaction and with the caller's rights, the shared resources
 * the document's conditional creates name, and takes those that exist out of the transaction:
 * references to them point at the stored resource instead. The transaction locks the criteria of
 * every conditional create until it commits, so without this two imports from the same hospital
 * wait for each other on the same custodian and doctors; with it, only what is new is locked.
 * Whatever is not found, or found more than once, stays a conditional create and is decided in
 * the transaction exactly as before. Returns what `restore` needs to put the taken-out entries
 * back into the transaction response, so the reply has one entry per resource as before.
 */
export async function resolveSharedResources(ctx: Context, q: Queryable, req: FhirRequest, entries: Json[]): Promise<Resolved[]> {
  const candidates = entries.flatMap((entry, index) => {
    const resource = entry.resource as Json;
    const request = entry.request as Json;
    const type = String(resource.resourceType);
    return request.method === 'POST' && typeof request.ifNoneExist === 'string' && SHARED_TYPES.has(type) && typeof entry.fullUrl === 'string'
      ? [{ index, type, urn: entry.fullUrl, criteria: criteriaParams(request.ifNoneExist) }]
      : [];
  });
  if (candidates.length === 0) return [];
  const found = await lookUp(ctx, q, req, candidates);
  const resolved: Resolved[] = [];
  candidates.forEach((c, i) => {
    const matches = found[i] ?? [];
    const resource = matches[0];
    if (matches.length === 1 && resource && typeof resource.id === 'string') resolved.push({ index: c.index, urn: c.urn, resource });
  });
  if (resolved.length === 0) return [];
  const target = new Map(resolved.map((r) => [r.urn, `${String(r.resource.resourceType)}/${String(r.resource.id)}`]));
  const taken = new Set(resolved.map((r) => r.index));
  const kept = entries.filter((_, index) => !taken.has(index));
  for (const entry of kept) repoint(entry.resource, target);
  entries.splice(0, entries.length, ...kept);
  return resolved;
}

interface Candidate {
  type: string;
  criteria: [string, string][];
}

/**
 * What each candidate's criteria match (at most two, which is enough to tell one from several).
 * Candidates of one type that each name a single `identifier=system|value` — what the CDA mapping
 * writes — are asked in one search (the values OR'ed), and its matches are told apart by the
 * identifier index rows of each, as the search itself matched them: a document's doctors and their
 * roles cost a search per type, not one each. Should that search not fit in one page, or return a
 * match none of them can be told from, and for any other criteria, each candidate is asked on its own.
 */
async function lookUp(ctx: Context, q: Queryable, req: FhirRequest, candidates: readonly Candidate[]): Promise<Json[][]> {
  const found: Json[][] = new Array(candidates.length);
  const byType = new Map<string, { at: number; identifier: IdentifierCriterion }[]>();
  const alone: number[] = [];
  candidates.forEach((c, at) => {
    const identifier = identifierCriterion(c.criteria);
    if (!identifier) alone.push(at);
    else byType.set(c.type, [...(byType.get(c.type) ?? []), { at, identifier }]);
  });
  const one = async (at: number) => {
    const c = candidates[at] as Candidate;
    found[at] = matchesOf(await get(ctx, q, req, c.type, [...c.criteria, ['_count', '2'], ['_total', 'none']])) ?? [];
  };
  const together = async (type: string, group: { at: number; identifier: IdentifierCriterion }[]) => {
    if (group.length === 1) return one((group[0] as { at: number }).at);
    const query: [string, string][] = [['identifier', group.map((g) => g.identifier.token).join(',')], ['_count', String(2 * group.length)], ['_total', 'none']];
    const matches = matchesOf(await get(ctx, q, req, type, query));
    const held = matches?.map(identifiersOf);
    // A match none of the criteria can be told from (its identifiers masked for the caller) cannot be attributed here.
    if (!matches || !held || held.some((keys) => !group.some((g) => keys.has(g.identifier.key)))) {
      for (const g of group) await one(g.at);
      return;
    }
    for (const g of group) found[g.at] = matches.filter((_, k) => held[k]?.has(g.identifier.key));
  };
  await Promise.all([...alone.map(one), ...[...byType].map(([type, group]) => together(type, group))]);
  return found;
}

interface IdentifierCriterion {
  /** As written in the criteria (escaped), to be OR'ed with others. */
  token: string;
  /** System and value as the identifier index rows hold them. */
  key: string;
}

function identifierCriterion(criteria: [string, string][]): IdentifierCriterion | undefined {
  const [only] = criteria;
  if (criteria.length !== 1 || !only || only[0] !== 'identifier') return undefined;
  const token = only[1];
  // OR'ed with a comma, the token must come back whole: no comma of its own, no trailing backslash to escape the joining one.
  if (splitOr(token).length !== 1 || token.endsWith('\\')) return undefined;
  try {
    const parsed = parseToken('identifier', token);
    if (typeof parsed.system !== 'string' || parsed.code === undefined) return undefined;
    return { token, key: JSON.stringify([parsed.system, parsed.code]) };
  } catch {
    return undefined;
  }
}

/** The resources a searchset matched; undefined when there are more pages. */
function matchesOf(bundle: Json): Json[] | undefined {
  if (((bundle.link as Json[] | undefined) ?? []).some((l) => l.relation === 'next')) return undefined;
  return ((bundle.entry as Json[] | undefined) ?? []).filter((e) => (e.search as Json | undefined)?.mode !== 'include').flatMap((e) => (e.resource ? [e.resource as Json] : []));
}

/** System and value of each of the resource's identifier index rows: what an identifier search compares. */
function identifiersOf(resource: Json): Set<string> {
  const rows = extractIndex(resource).token.filter((row) => row[0] === 'identifier' && row[3] === null);
  return new Set(rows.map((row) => JSON.stringify([row[1], row[2]])));
}

/** The transaction response with an entry for each resource taken out, where its create was. */
export function restoreResolved(response: Json | undefined, resolved: Resolved[], baseUrl: string): void {
  const answered = response?.entry as Json[] | undefined;
  if (!answered || resolved.length === 0) return;
  for (const r of [...resolved].sort((a, b) => a.index - b.index)) {
    const meta = (r.resource.meta as Json | undefined) ?? {};
    const type = String(r.resource.resourceType);
    const id = String(r.resource.id);
    answered.splice(r.index, 0, {
      fullUrl: fullUrl(baseUrl, { resourceType: type, id }),
      resource: r.resource,
      response: {
        status: '200 OK',
        location: `${type}/${id}/_history/${String(meta.versionId ?? '')}`,
        etag: `W/"${String(meta.versionId ?? '')}"`,
        ...(meta.lastUpdated ? { lastModified: meta.lastUpdated } : {}),
      },
    });
  }
}

function repoint(value: unknown, target: Map<string, string>): void {
  if (Array.isArray(value)) {
    for (const v of value) repoint(v, target);
  } else if (value && typeof value === 'object') {
    const obj = value as Json;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (k === 'reference' && typeof v === 'string') obj[k] = target.get(v) ?? v;
      else if (typeof v === 'object') repoint(v, target);
    }
  }
}
