import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import { applyFhirPathPatch } from './fhirpath-patch.js';
import { applyJsonPatch } from './json-patch.js';

export { applyFhirPathPatch, applyJsonPatch };

const JSON_PATCH = 'application/json-patch+json';
/** FHIRPath Patch arrives as a Parameters resource in any FHIR format; the caller has already parsed it. */
const FHIR_FORMATS = new Set(['application/fhir+json', 'application/json', 'application/fhir+xml', 'application/xml']);

/**
 * Applies a PATCH request body to `resource`, choosing the patch format by the request's content
 * type. The resource is not changed; the patched copy is returned.
 */
export function applyPatch(resource: Resource, body: unknown, contentType: string): Resource {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  let patched: Resource;
  if (mediaType === JSON_PATCH) patched = applyJsonPatch(resource, body);
  else if (FHIR_FORMATS.has(mediaType)) patched = applyFhirPathPatch(resource, body);
  else throw new FhirError('body.unsupported-media', { type: mediaType || contentType });
  // The identity of a resource belongs to the URL it was patched through, not to the patch.
  if (patched.resourceType !== resource.resourceType || patched.id !== resource.id) {
    throw new FhirError('patch.failed', { detail: 'a patch cannot change the resource id or resourceType' });
  }
  return patched;
}
