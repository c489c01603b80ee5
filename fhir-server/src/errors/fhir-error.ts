import { catalogue, type IssueType, type MessageId } from './catalogue.js';

export type Params = Record<string, string | number>;

export interface IssueInput {
  messageId: MessageId;
  params?: Params;
  /** FHIRPath of the element the issue is about, e.g. `Patient.birthDate` or `Bundle.entry[2].resource`. */
  expression?: string;
  severity?: 'fatal' | 'error' | 'warning' | 'information';
  /** Overrides the catalogue's issue type where a more precise one is known. */
  code?: IssueType;
  /** Id of the rule that raised it (a CDA or profile rule), reported instead of the message id. */
  rule?: string;
}

/**
 * The one error type of the server: a catalogue message id with its parameters and the
 * elements it concerns. The HTTP layer turns it into an OperationOutcome; nothing else formats errors.
 */
export class FhirError extends Error {
  readonly issues: IssueInput[];
  readonly status: number;

  constructor(first: IssueInput | MessageId, params?: Params, expression?: string) {
    const issue: IssueInput = typeof first === 'string' ? { messageId: first, params, expression } : first;
    super(render(issue.messageId, issue.params).en);
    this.name = 'FhirError';
    this.issues = [issue];
    this.status = catalogue[issue.messageId].status;
  }

  /** One error carrying several issues (e.g. every validation failure of a resource). */
  static of(issues: IssueInput[], status?: number): FhirError {
    const [first, ...rest] = issues;
    if (!first) throw new Error('FhirError.of needs at least one issue');
    const error = new FhirError(first);
    error.issues.push(...rest);
    if (status !== undefined) (error as { status: number }).status = status;
    return error;
  }
}

export function render(messageId: MessageId, params: Params = {}): { zh: string; en: string } {
  const entry = catalogue[messageId];
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
  return { zh: fill(entry.zh), en: fill(entry.en) };
}
