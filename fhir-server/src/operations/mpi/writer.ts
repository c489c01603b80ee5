import type { Resource } from '@medplum/fhirtypes';
import type { ResourceWriter } from '../../mpi/changes.js';
import type { Queryable } from '../../repository/db.js';
import type { StoredVersion } from '../../repository/stored.js';
import { etag } from '../../router/responses.js';
import { dispatch } from '../../router/router.js';
import type { Context, FhirRequest } from '../../router/types.js';

/** The index writes as a client would, through the ordinary update and create interactions, in the operation's transaction. */
export function interactionWriter(ctx: Context, q: Queryable, req: FhirRequest): ResourceWriter {
  const run = async (method: 'PUT' | 'POST', path: string, body: Resource, ifMatch?: string): Promise<StoredVersion> => {
    const response = await dispatch(ctx, q, { method, path, query: [], body, prefer: {}, baseUrl: req.baseUrl, principal: req.principal, ...(ifMatch ? { ifMatch } : {}) });
    if (!response.version) throw new Error(`${method} ${path} returned no version`);
    return response.version;
  };
  return {
    update: (resource, ifMatch) => run('PUT', `${resource.resourceType}/${resource.id as string}`, resource, etag(ifMatch)),
    create: (resource) => run('POST', resource.resourceType, resource),
  };
}
