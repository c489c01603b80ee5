import { createTerminology, shippedContent, type Terminology, type TerminologyResource } from '@qiao/terminology';
import type { Db, Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { nationalCodesOf, type NationalCodes } from '../../validation/national-codes.js';
import { storedContent, storedTerminologyVersions, type StoredRef } from './store.js';

export const TERMINOLOGY_TYPES: ReadonlySet<string> = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);

/** Another server on the same database may have changed code tables: look again this often. */
const RECHECK_MS = 10_000;

interface Loaded {
  terminology: Terminology;
  /** `type/id` → version and canonical of each stored resource the service holds. */
  stored: Map<string, { versionId: string; url: string; version?: string; type: TerminologyResource['resourceType'] }>;
  checkedAt: number;
  dirty: boolean;
}

const services = new WeakMap<Db, Promise<Loaded>>();

let shippedSystems: Set<string> | undefined;

/**
 * Whether a code system comes with the server (national and FHIR tables). Their concept maps are
 * translations on request; only a hospital's own code systems are local codes to map on write.
 */
export function isShippedSystem(url: string): boolean {
  shippedSystems ??= new Set(shippedContent().filter((r) => r.resourceType === 'CodeSystem').map((r) => r.url as string));
  return shippedSystems.has(url);
}

/**
 * The terminology service of a database: the shipped content plus the CodeSystems, ValueSets and
 * ConceptMaps stored on it (a hospital's local code tables), kept in step with writes. The
 * validator and the operations get it here.
 */
export async function terminologyFor(ctx: Context, q: Queryable = ctx.db): Promise<Terminology> {
  let pending = services.get(ctx.db);
  if (!pending) {
    pending = Promise.resolve({ terminology: createTerminology({ resources: shippedContent() }), stored: new Map(), checkedAt: 0, dirty: true });
    services.set(ctx.db, pending);
  }
  const loaded = await pending;
  if (loaded.dirty || Date.now() - loaded.checkedAt > RECHECK_MS) await syncStored(loaded, q);
  return loaded.terminology;
}

/** The service's code membership for profile validation: resolved before the synchronous validator runs. */
export async function nationalCodesFor(ctx: Context, q: Queryable = ctx.db): Promise<NationalCodes> {
  return nationalCodesOf(await terminologyFor(ctx, q));
}

/** A code table was written or deleted: the next use reads the stored ones again. */
export function terminologyChanged(ctx: Context): void {
  void services.get(ctx.db)?.then((loaded) => {
    loaded.dirty = true;
  });
}

/** Reads only what changed since the last look (the rows' versions first, then their content). */
async function syncStored(loaded: Loaded, q: Queryable): Promise<void> {
  loaded.dirty = false;
  loaded.checkedAt = Date.now();
  const rows = await storedTerminologyVersions(q);
  const seen = new Set<string>();
  const changed: StoredRef[] = [];
  for (const row of rows) {
    const key = `${row.resource_type}/${row.id}`;
    seen.add(key);
    if (loaded.stored.get(key)?.versionId !== row.version_id) changed.push(row);
  }
  for (const [key, held] of loaded.stored) {
    if (seen.has(key)) continue;
    loaded.terminology.remove(held.type, held.url, held.version);
    loaded.stored.delete(key);
  }
  for (const row of changed) {
    const content = await storedContent(q, row);
    if (!content) continue;
    const resource = JSON.parse(content) as TerminologyResource;
    if (!resource.url) continue;
    const key = `${row.resource_type}/${row.id}`;
    const held = loaded.stored.get(key);
    if (held && (held.url !== resource.url || held.version !== resource.version)) loaded.terminology.remove(held.type, held.url, held.version);
    loaded.terminology.add(resource);
    loaded.stored.set(key, {
      versionId: row.version_id,
      url: resource.url,
      ...(resource.version ? { version: resource.version } : {}),
      type: resource.resourceType,
    });
  }
}
