import { fromEdgeIssue, type EdgeIssue } from '../errors/edge-issues.js';
import { FhirError } from '../errors/fhir-error.js';
import type { IssueType } from '../errors/catalogue.js';

/** A refused ECG (or workflow step): one bilingual issue, with where it is, and the HTTP status. */
export function ecgError(status: number, id: string, zh: string, en: string, expression: string, code: IssueType = status === 409 ? 'conflict' : status === 403 ? 'forbidden' : status === 415 ? 'not-supported' : status === 422 ? 'processing' : 'invalid'): FhirError {
  const issue: EdgeIssue = { severity: 'error', code, id, zh, en, expression };
  return FhirError.of([fromEdgeIssue(issue)], status);
}
