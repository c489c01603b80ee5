import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { requesterOnly } from '../bulk/access.js';
import { isFileName, openJobFile, removeJobFiles } from '../bulk/files.js';
import { jobs } from '../bulk/jobs.js';
import { exportRunner } from '../bulk/runner.js';
import { findJob, jobFailure, manifest } from '../bulk/status.js';
import { BULK_EXPORT_PATH } from '../bulk/urls.js';
import { bulkAccess } from '../audit/edge-access.js';
import { auditAccess } from '../audit/http-access.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Context } from '../router/types.js';
import type { EdgeFactory } from './edge.js';

/** Seconds a client should wait before polling a running export again. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Bulk Data status and file endpoints (the kick-off is the `$export` operation): poll a job,
 * cancel or delete it, download its NDJSON files as streams. Runs the export jobs' runner.
 */
export const bulkExportEdge: EdgeFactory = (ctx, logger) => {
  const runner = exportRunner(ctx, logger);
  const origin = (req: Request) => ctx.config.baseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return {
    name: 'bulk-export',
    mount(app) {
      app.use(BULK_EXPORT_PATH, auditAccess(ctx, bulkAccess));
      app.use(`${BULK_EXPORT_PATH}/:job`, requesterOnly(ctx));
      app.get(`${BULK_EXPORT_PATH}/:job`, async (req: Request, res: Response) => {
        const job = await findJob(ctx.db, String(req.params.job));
        res.setHeader('Cache-Control', 'no-store');
        if (job.status === 'failed') throw jobFailure(job);
        if (job.status === 'running') {
          res.status(202).setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
          res.setHeader('X-Progress', job.progress);
          res.end();
          return;
        }
        res.status(200).json(manifest(job, origin(req)));
      });
      app.delete(`${BULK_EXPORT_PATH}/:job`, async (req: Request, res: Response) => {
        const job = await findJob(ctx.db, String(req.params.job));
        await runner.cancel(job.id);
        await jobs.remove(ctx.db, job.id);
        await removeJobFiles(ctx.config.dataDir, job.id);
        res.status(202).end();
      });
      app.get(`${BULK_EXPORT_PATH}/:job/:file`, async (req: Request, res: Response) => {
        await download(ctx, String(req.params.job), String(req.params.file), res);
      });
    },
    start: () => runner.start(),
    close: () => runner.close(),
  };
};

async function download(ctx: Context, id: string, file: string, res: Response): Promise<void> {
  const job = await findJob(ctx.db, id);
  const listed = job.status === 'completed' && isFileName(file) && job.output.some((o) => o.file === file);
  const opened = listed ? await openJobFile(ctx.config.dataDir, job.id, file) : undefined;
  if (!opened) throw new FhirError('export.file-not-found', { job: id, file });
  res.status(200).setHeader('Content-Type', 'application/fhir+ndjson');
  res.setHeader('Content-Length', String(opened.size));
  try {
    await pipeline(opened.stream, res);
  } catch (error) {
    // A client that hangs up mid-download is not a server error.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
}
