/**
 * Where export jobs are polled and their files fetched. These are not FHIR interactions (a status
 * reply is not a resource, a file is streamed), so they live beside the FHIR base, served by the
 * bulk export edge: `<origin>/bulk/export/<job>` and `<origin>/bulk/export/<job>/<Type>.ndjson`.
 */
export const BULK_EXPORT_PATH = '/bulk/export';

export function statusUrl(origin: string, job: string): string {
  return `${origin}${BULK_EXPORT_PATH}/${job}`;
}

export function fileUrl(origin: string, job: string, file: string): string {
  return `${statusUrl(origin, job)}/${file}`;
}

/** The origin of a FHIR base URL, which the HTTP layer always builds as `<origin>/fhir`. */
export function originOf(fhirBase: string): string {
  return fhirBase.replace(/\/fhir$/, '');
}
