import type { StoredVersion } from '../repository/stored.js';
import { RawJson, type FhirResponse } from './types.js';

export function storedResponse(status: number, stored: StoredVersion, withLocation = false): FhirResponse {
  return {
    status,
    body: stored.json === null ? undefined : new RawJson(stored.json),
    version: stored,
    ...(withLocation ? { location: versionPath(stored) } : {}),
  };
}

export function versionPath(stored: StoredVersion): string {
  return `${stored.resourceType}/${stored.id}/_history/${stored.versionId}`;
}

export function etag(versionId: string): string {
  return `W/"${versionId}"`;
}

/** Accepts `W/"3"`, `"3"` and bare `3`, as clients send all three. */
export function parseEtag(value: string): string | undefined {
  return /^(?:W\/)?"?([^"]+)"?$/.exec(value.trim())?.[1];
}
