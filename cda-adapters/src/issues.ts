/**
 * An issue found in a CDA document, bilingual, with the rule that raised it and where (XPath).
 * Structurally the server's `EdgeIssue`, so fhir-server can pass these to `fromEdgeIssue` unchanged;
 * this workspace never imports fhir-server.
 */
export interface CdaIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: 'structure' | 'invalid' | 'required' | 'value' | 'code-invalid' | 'not-supported' | 'security' | 'too-long' | 'duplicate';
  id: string;
  zh: string;
  en: string;
  expression?: string;
}

/** A document that cannot be read at all (encoding, DOCTYPE, well-formedness): carries its issues. */
export class CdaError extends Error {
  constructor(readonly issues: CdaIssue[]) {
    super(issues.map((i) => i.en).join('; '));
    this.name = 'CdaError';
  }
}
