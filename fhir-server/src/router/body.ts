import type { Resource } from '@medplum/fhirtypes';
import { isKnownResourceType } from '../definitions/r4.js';
import { FhirError } from '../errors/fhir-error.js';

/** The request body as a resource of the type the URL names. */
export function requireResource(body: unknown, expectedType: string): Resource {
  if (body === undefined) throw new FhirError('body.empty');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FhirError('body.not-object');
  const type = (body as { resourceType?: unknown }).resourceType;
  if (type === undefined) throw new FhirError('resource.missing-type', {}, 'resourceType');
  if (typeof type !== 'string' || !isKnownResourceType(type)) throw new FhirError('resource.type-unknown', { type: String(type) }, 'resourceType');
  if (type !== expectedType) throw new FhirError('resource.type-mismatch', { actual: type, expected: expectedType }, `${type}.resourceType`);
  return body as Resource;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function assertId(id: string): void {
  if (!ID.test(id)) throw new FhirError('resource.id-invalid', { id });
}
