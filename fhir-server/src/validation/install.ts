import { loadPackage, packageResources } from '@qiao/profiles';
import type { Resource } from '@medplum/fhirtypes';
import { SYSTEM_PRINCIPAL } from '../auth/principal.js';
import type { Logger } from '../http/logger.js';
import { findMatchesOfEach } from '../router/conditional.js';
import { handle } from '../router/router.js';
import type { Context } from '../router/types.js';

/**
 * Publishes the CN profile package (StructureDefinitions, ValueSets, CodeSystems) as ordinary
 * resources, so that `/fhir/StructureDefinition?url=…` finds them. Idempotent by url and
 * version: a resource already stored with the same content is left alone, a changed one is
 * updated in place; written in one transaction through the router, like a client's.
 */
export async function installProfiles(ctx: Context, logger: Logger): Promise<void> {
  const resources = packageResources(loadPackage()) as (Resource & { url: string; version: string; id: string })[];
  const found = await findMatchesOfEach(
    ctx.db,
    resources.map((r) => ({ type: r.resourceType, params: [['url', r.url], ['version', r.version]] as [string, string][] })),
  );
  const entry = resources.flatMap((resource, i) => {
    const stored = found[i]?.[0];
    if (stored?.json && sameContent(JSON.parse(stored.json) as Resource, resource)) return [];
    const id = stored?.id ?? resource.id;
    return [{ resource: { ...structuredClone(resource), id }, request: { method: 'PUT', url: `${resource.resourceType}/${id}` } }];
  });
  const written = entry.length;
  // One transaction for the whole package: one commit, instead of one per resource.
  if (written) await handle(ctx, { method: 'POST', path: '', query: [], body: { resourceType: 'Bundle', type: 'transaction', entry }, prefer: { return: 'minimal' }, baseUrl: ctx.config.baseUrl ?? 'http://localhost/fhir', principal: SYSTEM_PRINCIPAL });
  if (written) logger.log('info', 'CN profile package installed', { written, total: resources.length });
}

function sameContent(stored: Resource, resource: Resource): boolean {
  const { meta: _meta, id: _id, ...a } = stored;
  const { meta: _m, id: _i, ...b } = resource;
  return JSON.stringify(a) === JSON.stringify(b);
}
