import type { Queryable } from '../repository/db.js';
import { FhirError } from '../errors/fhir-error.js';
import { isJobId } from './files.js';
import { jobs, type ExportJob } from './jobs.js';
import { fileUrl } from './urls.js';

/** The completion manifest of Bulk Data 2.0. */
export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  deleted: never[];
  error: never[];
}

/**
 * The job behind a status URL. A running job whose process stopped renewing it is reported as
 * failed (interrupted) here, so a poller learns it at once rather than waiting forever.
 */
export async function findJob(q: Queryable, id: string): Promise<ExportJob> {
  if (!isJobId(id)) throw new FhirError('export.job-not-found', { job: id });
  let job = await jobs.get(q, id);
  if (job?.status === 'running' && (await jobs.failStale(q, id)).length > 0) job = await jobs.get(q, id);
  if (!job) throw new FhirError('export.job-not-found', { job: id });
  return job;
}

/** A failed job as the error it ended with (rendered as a bilingual OperationOutcome). */
export function jobFailure(job: ExportJob): FhirError {
  const error = job.error ?? { messageId: 'export.failed' as const, params: { job: job.id } };
  return new FhirError(error.messageId, error.params);
}

export function manifest(job: ExportJob, origin: string): Manifest {
  return {
    transactionTime: job.transactionTime,
    request: job.request,
    requiresAccessToken: job.requiresAccessToken,
    output: job.output.map((o) => ({ type: o.type, url: fileUrl(origin, job.id, o.file), count: o.count })),
    deleted: [],
    error: [],
  };
}
