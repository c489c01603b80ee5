import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { catalogue } from './catalogue.js';
import { render, type IssueInput } from './fhir-error.js';

export const MESSAGE_SYSTEM = 'https://qiao.health/fhir/CodeSystem/message';

/** Chinese first, then English: clinical users read Chinese, integration engineers often English. */
export function issueToFhir(issue: IssueInput): OperationOutcomeIssue {
  const text = render(issue.messageId, issue.params);
  return {
    severity: issue.severity ?? 'error',
    code: issue.code ?? catalogue[issue.messageId].code,
    details: { coding: [{ system: MESSAGE_SYSTEM, code: issue.rule ?? issue.messageId }], text: `${text.zh} | ${text.en}` },
    diagnostics: text.en,
    ...(issue.expression ? { expression: [issue.expression] } : {}),
  };
}

export function toOperationOutcome(issues: IssueInput[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues.map(issueToFhir) };
}

export function informational(text: string, code: OperationOutcomeIssue['code'] = 'informational'): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code, diagnostics: text }] };
}
