import { validateCda } from '@qiao/cda-adapters';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import { toOperationOutcome } from '../../errors/outcome.js';
import type { Context, FhirRequest, FhirResponse } from '../../router/types.js';
import { documentBytes } from './request.js';

/** `POST [base]/$cda-validate`: every issue of the document as an OperationOutcome; stores nothing. */
export async function cdaValidate(_ctx: Context, _q: unknown, req: FhirRequest): Promise<FhirResponse> {
  const issues = validateCda(documentBytes(req));
  if (issues.length === 0) {
    return {
      status: 200,
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: '文档有效 | the document is valid' }] },
    };
  }
  return { status: 200, body: toOperationOutcome(issues.map(fromEdgeIssue)) };
}
