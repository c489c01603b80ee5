import { validateCda } from '@qiao/cda-adapters';
import { fromEdgeIssue } from '../../errors/edge-issues.js';
import { toOperationOutcome } from '../../errors/outcome.js';
import type { Context, FhirRequest, FhirResponse } from '../../router/types.js';
import { documentBytes } from './request.js';
import { cdaCodeChecker } from './code-checker.js';
import { ruleOverrides } from './rule-overrides.js';
import type { Queryable } from '../../repository/db.js';

/** `POST [base]/$cda-validate`: every issue of the document (under the platform's rule overrides) as an OperationOutcome; stores nothing. */
export async function cdaValidate(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const issues = validateCda(documentBytes(req), { overrides: await ruleOverrides(ctx, q, req), codes: await cdaCodeChecker(ctx, q) });
  if (issues.length === 0) {
    return {
      status: 200,
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: '文档有效 | the document is valid' }] },
    };
  }
  return { status: 200, body: toOperationOutcome(issues.map(fromEdgeIssue)) };
}
