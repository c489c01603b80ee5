import { parseEtag, storedResponse } from './responses.js';
import type { FhirResponse, Interaction } from './types.js';
import type { StoredVersion } from '../repository/stored.js';
import type { FhirRequest } from './types.js';

export const read: Interaction = async (ctx, q, req, path) => {
  const stored = await ctx.repo.read(q, path.type as string, path.id as string);
  return notModified(req, stored) ?? storedResponse(200, stored);
};

export const vread: Interaction = async (ctx, q, req, path) => {
  const stored = await ctx.repo.vread(q, path.type as string, path.id as string, path.versionId as string);
  return notModified(req, stored) ?? storedResponse(200, stored);
};

/** Conditional read: 304 when the client's copy is current. */
function notModified(req: FhirRequest, stored: StoredVersion): FhirResponse | undefined {
  if (req.ifNoneMatch !== undefined) {
    const tags = req.ifNoneMatch.split(',').map((t) => (t.trim() === '*' ? '*' : parseEtag(t)));
    return tags.includes(stored.versionId) || tags.includes('*') ? { status: 304, version: stored } : undefined;
  }
  if (req.ifModifiedSince !== undefined) {
    const since = Date.parse(req.ifModifiedSince);
    // HTTP dates have whole seconds; compare at that precision.
    if (!Number.isNaN(since) && Math.floor(Date.parse(stored.lastUpdated) / 1000) * 1000 <= since) return { status: 304, version: stored };
  }
  return undefined;
}
