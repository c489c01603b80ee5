import { blocking, type CdaIssue } from '@qiao/cda-adapters';
import { FhirError } from '../../errors/fhir-error.js';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import type { FhirRequest } from '../../router/types.js';

const CDA_MEDIA = new Set(['application/hl7-cda+xml', 'application/xml', 'text/xml']);

/** The document bytes of a `$cda-*` request, after checking its media type. */
export function documentBytes(req: FhirRequest): Buffer {
  if (req.contentType && !CDA_MEDIA.has(req.contentType)) throw new FhirError('body.unsupported-media', { type: req.contentType });
  if (!req.rawBody || req.rawBody.length === 0) throw new FhirError('body.empty');
  return req.rawBody;
}

/** Unreadable documents are a bad request (400); readable but invalid ones unprocessable (422). */
export function rejectInvalid(issues: CdaIssue[]): void {
  if (!blocking(issues)) return;
  const status = issues.some((i) => i.severity === 'fatal') ? 400 : 422;
  throw FhirError.of(issues.map(fromEdgeIssue), status);
}
