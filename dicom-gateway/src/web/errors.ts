import type { Bilingual } from '../ports.js';

/** An issue the host renders in its own error format (fhir-server: an OperationOutcome). */
export interface DicomwebIssue extends Bilingual {
  severity: 'error' | 'fatal' | 'warning';
  /** FHIR issue type, e.g. `invalid`, `not-found`, `not-supported`. */
  code: 'invalid' | 'not-found' | 'not-supported' | 'conflict' | 'too-long' | 'processing' | 'value';
  /** Rule id, `DICOMWEB-…`. */
  id: string;
  expression?: string;
}

/** A request the gateway refuses: thrown by handlers, passed to Express's `next`, rendered by the host. */
export class DicomwebError extends Error {
  readonly issue: DicomwebIssue;

  constructor(
    readonly status: number,
    id: string,
    message: Bilingual,
    options: { code?: DicomwebIssue['code']; expression?: string } = {},
  ) {
    super(message.en);
    this.issue = {
      severity: 'error',
      code: options.code ?? (status === 404 ? 'not-found' : status === 406 || status === 415 ? 'not-supported' : status === 409 ? 'conflict' : 'invalid'),
      id,
      zh: message.zh,
      en: message.en,
      ...(options.expression ? { expression: options.expression } : {}),
    };
  }
}
