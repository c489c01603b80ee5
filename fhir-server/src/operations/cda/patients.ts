import type { MappedDocument } from '@qiao/cda-adapters';
import type { Queryable } from '../../repository/db.js';
import { criteriaParams } from '../../router/conditional.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { parseToken } from '../../search/parse-values.js';
import { get } from './fhir-io.js';

type Json = Record<string, unknown>;

const key = (i: Json) => `${String(i.system)}|${String(i.value)}`;

/**
 * A document's patient may be stored under another of its identifiers than the first one the
 * mapping matches by: a record first sent with the health-record number alone, then with the
 * resident ID as well. Before the transaction, each further identifier (`alsoMatch`, in the
 * mapping's order) is looked up when the first finds nobody; the first that finds exactly one
 * patient with no conflicting identifier (another value in a person-wide system) is that
 * patient: the create becomes one conditional on its id, and a JSON Patch (If-Match, so a
 * concurrent change fails the import) adds the document's identifiers it lacks — a patch, not the
 * whole resource, so nothing the caller reads masked is written back. What finds nobody, or
 * several, stays with the transaction as before.
 */
export async function matchPatientByOtherIdentifiers(ctx: Context, q: Queryable, req: FhirRequest, mapped: MappedDocument, entries: Json[]): Promise<void> {
  for (const m of mapped.entries) {
    if (!m.alsoMatch || !m.ifNoneExist) continue;
    const entry = entries.find((e) => e.fullUrl === m.fullUrl);
    if (!entry || (await find(ctx, q, req, m.resource, m.ifNoneExist)).length > 0) continue;
    const personWide = personWideSystems([m.ifNoneExist, ...m.alsoMatch]);
    for (const criteria of m.alsoMatch) {
      const found = await find(ctx, q, req, m.resource, criteria);
      const stored = found.length === 1 ? found[0] : undefined;
      if (!stored || conflicts(stored, m.resource, personWide)) continue;
      const held = new Set(identifiers(stored).map(key));
      const added = identifiers(m.resource).filter((i) => i.value !== undefined && !held.has(key(i)));
      const reference = `${String(stored.resourceType)}/${String(stored.id)}`;
      entry.request = { ...(entry.request as Json), ifNoneExist: `_id=${String(stored.id)}` };
      if (added.length) entries.push(addIdentifiers(reference, String((stored.meta as Json | undefined)?.versionId ?? ''), added, stored.identifier !== undefined));
      break;
    }
  }
}

function addIdentifiers(reference: string, version: string, added: Json[], hasIdentifiers: boolean): Json {
  const ops = hasIdentifiers ? added.map((value) => ({ op: 'add', path: '/identifier/-', value })) : [{ op: 'add', path: '/identifier', value: added }];
  return {
    resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(ops), 'utf8').toString('base64') },
    request: { method: 'PATCH', url: reference, ifMatch: `W/"${version}"` },
  };
}

async function find(ctx: Context, q: Queryable, req: FhirRequest, resource: Json, criteria: string): Promise<Json[]> {
  const bundle = await get(ctx, q, req, String(resource.resourceType), [...criteriaParams(criteria), ['_count', '2'], ['_total', 'none']]);
  return ((bundle.entry as Json[] | undefined) ?? []).flatMap((e) => (e.resource && (e.search as Json | undefined)?.mode !== 'include' ? [e.resource as Json] : []));
}

function identifiers(resource: Json): Json[] {
  return (resource.identifier as Json[] | undefined) ?? [];
}

/** The systems matched on without a scope (an organisation) name one person everywhere. */
function personWideSystems(criteria: string[]): Set<string> {
  const systems = new Set<string>();
  for (const c of criteria) {
    const [only, ...rest] = criteriaParams(c);
    if (rest.length || only?.[0] !== 'identifier') continue;
    const system = parseToken('identifier', only[1]).system;
    if (typeof system === 'string') systems.add(system);
  }
  return systems;
}

/** A stored patient with another value in a person-wide system the document gives is another person. */
function conflicts(stored: Json, incoming: Json, personWide: Set<string>): boolean {
  const mine = identifiers(incoming).filter((i) => i.value !== undefined && personWide.has(String(i.system)));
  return identifiers(stored).some((s) => mine.some((i) => i.system === s.system && i.value !== s.value));
}
