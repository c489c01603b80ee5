import type { IssueType } from './catalogue.js';
import type { IssueInput } from './fhir-error.js';

/**
 * An issue as the edge workspaces report it: they keep their own bilingual rule tables (CDA
 * rules, DICOM checks, terminology answers) and know nothing of the server's catalogue.
 */
export interface EdgeIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: IssueType;
  /** The rule or message id, e.g. `CDA-HDR-003`. */
  id: string;
  zh: string;
  en: string;
  /** FHIRPath, or XPath for a CDA document. */
  expression?: string;
}

export function fromEdgeIssue(issue: EdgeIssue): IssueInput {
  return {
    messageId: 'edge.issue',
    params: { zh: issue.zh, en: issue.en },
    severity: issue.severity,
    code: issue.code,
    rule: issue.id,
    ...(issue.expression ? { expression: issue.expression } : {}),
  };
}
