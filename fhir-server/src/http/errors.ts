import type { OperationOutcome } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import { toOperationOutcome } from '../errors/outcome.js';
import { PgCode, pgErrorCode } from '../repository/db.js';

export interface HttpError {
  status: number;
  outcome: OperationOutcome;
  /** Unexpected: log with stack. */
  internal: boolean;
}

/** Every error, whatever threw it, becomes a status and an OperationOutcome here and nowhere else. */
export function toHttpError(error: unknown, requestId: string, maxBodyBytes: number): HttpError {
  const fhir = translate(error, maxBodyBytes);
  if (fhir) return { status: fhir.status, outcome: toOperationOutcome(fhir.issues), internal: false };
  return { status: 500, outcome: toOperationOutcome([{ messageId: 'server.internal', params: { requestId } }]), internal: true };
}

function translate(error: unknown, maxBodyBytes: number): FhirError | undefined {
  if (error instanceof FhirError) return error;
  // body-parser's errors carry a `type`.
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') return new FhirError('body.too-large', { limit: maxBodyBytes });
  if (type === 'request.aborted' || type === 'request.size.invalid') return new FhirError('body.malformed-json', { detail: String(type) });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new FhirError('body.unsupported-media', { type: String(type) });
  switch (pgErrorCode(error)) {
    case PgCode.queryCanceled:
      return new FhirError('server.timeout');
    case PgCode.uniqueViolation:
    case PgCode.serializationFailure:
    case PgCode.deadlockDetected:
      return new FhirError('resource.concurrent-write');
    default:
      return undefined;
  }
}
