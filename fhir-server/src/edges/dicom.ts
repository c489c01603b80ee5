import path from 'node:path';
import { DicomStore, DicomwebError, DicomwebProxy, dicomwebRoutes, S3BlobStore, startDimse, type DimseListener, type FhirJson, type FhirPort } from '@qiao/dicom-gateway';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { dicomwebGuard } from '../access/dicomweb.js';
import { SYSTEM_PRINCIPAL } from '../auth/principal.js';
import { auditedDimseStore } from '../audit/dimse-access.js';
import { dicomwebAccess, dicomwebRepeat } from '../audit/edge-access.js';
import { auditAccess } from '../audit/http-access.js';
import { fromEdgeIssue } from '../errors/edge-issues.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Logger } from '../http/logger.js';
import { handle } from '../router/router.js';
import { RawJson, type Context, type FhirRequest } from '../router/types.js';
import { ecgWaveformImport } from '../ecg/gateway.js';
import type { EdgeFactory } from './edge.js';

/** Public origin when configured; requests tell it otherwise (and the last one seen serves background work). */
function originOf(ctx: Context, seen: { origin?: string }): string | undefined {
  return ctx.config.baseUrl ?? seen.origin;
}

/** The gateway's FHIR port: the same interactions a client would make, through the router. */
function fhirPort(ctx: Context, seen: { origin?: string }): FhirPort {
  const request = (partial: Pick<FhirRequest, 'method' | 'path' | 'query'> & { body?: unknown }): FhirRequest => ({
    ...partial,
    prefer: { return: 'representation' },
    // The gateway's own bookkeeping (ImagingStudy sync): the DICOMweb routes check the caller themselves.
    principal: SYSTEM_PRINCIPAL,
    baseUrl: `${originOf(ctx, seen) ?? `http://localhost:${ctx.config.port}`}/fhir`,
  });
  const json = (body: unknown): FhirJson => (body instanceof RawJson ? (JSON.parse(body.text) as FhirJson) : (body as FhirJson));
  return {
    async search(type, query) {
      const reply = await handle(ctx, request({ method: 'GET', path: type, query: query.some(([name]) => name === '_count') ? query : [...query, ['_count', '10']] }));
      const bundle = json(reply.body) as { entry?: { resource?: FhirJson; search?: { mode?: string } }[] };
      return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.resource).map((e) => json(e.resource)); // entries may be RawJson too
    },
    async transaction(bundle) {
      const reply = await handle(ctx, request({ method: 'POST', path: '', query: [], body: bundle }));
      return json(reply.body);
    },
  };
}

const stores = new WeakMap<Context, { store: DicomStore; seen: { origin?: string } }>();

/** The one DicomStore of a running server, shared by the DICOMweb routes and the DIMSE listener. */
export function dicomStore(ctx: Context, logger: Logger): DicomStore {
  let entry = stores.get(ctx);
  if (!entry) {
    const seen: { origin?: string } = {};
    const storage = ctx.config.dicomStorage;
    const store = new DicomStore({
      sql: ctx.db,
      dataDir: ctx.config.dataDir,
      // Uploads are staged where the file store would keep them; the index journal stays local too.
      ...(storage.kind === 's3' ? { blobs: new S3BlobStore({ ...storage, localDir: path.resolve(ctx.config.dataDir, 'dicom') }) } : {}),
      fhir: fhirPort(ctx, seen),
      dicomwebBase: () => {
        const origin = originOf(ctx, seen);
        return origin ? `${origin}/dicomweb` : undefined;
      },
      log: logger,
      maxInstanceBytes: ctx.config.maxBodyBytes,
      siteUtcOffset: ctx.config.siteUtcOffset,
    });
    entry = { store, seen };
    stores.set(ctx, entry);
    // ECG waveforms stored here become ECG observations and reports as a $ecg-import would make them.
    ctx.repo.changes.subscribe(ecgWaveformImport(ctx, store, logger));
  }
  return entry.store;
}

/** DICOMweb under /dicomweb; its refusals rendered as OperationOutcomes like every other error. */
export const dicomwebEdge: EdgeFactory = (ctx, logger) => {
  const store = dicomStore(ctx, logger);
  const seen = stores.get(ctx)?.seen ?? {};
  const proxy = ctx.config.dicomwebPeers.length ? new DicomwebProxy({ peers: ctx.config.dicomwebPeers, log: logger }) : undefined;
  const routes = dicomwebRoutes({ store, publicOrigin: () => ctx.config.baseUrl, frameCacheBytes: ctx.config.dicomFrameCacheBytes, ...(proxy ? { proxy } : {}) });
  // Every DICOMweb request, before its route: audited, its origin noted for background work, checked against the caller's reach.
  const handlers: RequestHandler[] = [
    auditAccess(ctx, (req, viewed) => dicomwebAccess(ctx.db, req, viewed), dicomwebRepeat),
    (req: Request, _res: Response, next: NextFunction) => {
      seen.origin ??= `${req.protocol}://${req.get('host') ?? 'localhost'}`;
      next();
    },
    dicomwebGuard(ctx),
  ];
  const mapError = (error: unknown) => (error instanceof DicomwebError ? FhirError.of([fromEdgeIssue(error.issue)], error.status) : error);
  return {
    name: 'dicomweb',
    mount(app) {
      app.use('/dicomweb', ...handlers, routes.router, (error: unknown, _req: Request, _res: Response, next: NextFunction) => next(mapError(error)));
    },
    lanes: [{ method: 'GET', mount: '/dicomweb', path: routes.framesPath, handlers: [...handlers, routes.frames], mapError }],
    async close() {
      await store.close();
    },
  };
};

/** DIMSE (C-ECHO, C-STORE, C-FIND, Modality Worklist, C-MOVE) on QIAO_DIMSE_PORT, on the same store. */
export const dimseEdge: EdgeFactory = (ctx, logger) => {
  const store = dicomStore(ctx, logger);
  let listener: DimseListener | undefined;
  return {
    name: 'dimse',
    async start() {
      if (ctx.config.dimsePort === null) return;
      listener = await startDimse({
        host: ctx.config.host,
        port: ctx.config.dimsePort,
        aeTitle: ctx.config.dimseAeTitle,
        allowedAes: ctx.config.dimseAllowedAes,
        peers: ctx.config.dimsePeers,
        store: auditedDimseStore(ctx, store),
        worklist: fhirPort(ctx, stores.get(ctx)?.seen ?? {}),
        log: logger,
      });
    },
    async close() {
      await listener?.close();
    },
  };
};
