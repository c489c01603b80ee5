import { FhirError } from '../../src/errors/fhir-error.js';

/** The FhirError `action` throws; fails the test if it throws nothing or something else. */
export function thrown(action: () => unknown): FhirError {
  try {
    action();
  } catch (error) {
    if (error instanceof FhirError) return error;
    throw error;
  }
  throw new Error('expected a FhirError, but nothing was thrown');
}

/** The catalogue id, expression and status of the first issue, for compact assertions. */
export function summary(error: FhirError): { messageId: string; expression: string | undefined; status: number } {
  const issue = error.issues[0];
  return { messageId: issue?.messageId ?? '', expression: issue?.expression, status: error.status };
}
