import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { DicomwebProxy } from '../proxy/proxy.js';
import { dicomwebBase, type DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';
import { FrameSource } from './frame-source.js';
import { qido } from './qido.js';
import { rendered, renderedScope } from './rendered.js';
import { stow } from './stow.js';
import { bulk, frames, metadata, retrieve, wadoUri } from './wado.js';

export type { DicomwebOptions } from './context.js';

type Handler = (req: Request, res: Response, options: DicomwebOptions) => Promise<void>;

/** `${instance}/frames/:frames` as one expression for a host's lane; the groups are still percent-encoded. */
const FRAMES_PATH = /^\/studies\/(?<study>[^/]+)\/series\/(?<series>[^/]+)\/instances\/(?<instance>[^/]+)\/frames\/(?<frames>[^/]+)$/;

/** As Orthanc's storage cache (`MaximumStorageCacheSize`, 128 MB by default). */
const DEFAULT_FRAME_CACHE_BYTES = 128 * 1024 * 1024;

export interface DicomwebRoutes {
  /** Every DICOMweb route (PS3.18), to be mounted by the host (fhir-server mounts it at `/dicomweb`). */
  router: express.Router;
  /**
   * The WADO-RS frames route as the router runs it, for a host that serves this route — hundreds of
   * requests a second per viewer — without going through its router: `req.params` must hold the
   * named groups of `framesPath`, matched against the path below the mount.
   */
  frames: RequestHandler;
  framesPath: RegExp;
}

/**
 * The DICOMweb routes. Errors go to Express's `next` as `DicomwebError`, which the host renders (as
 * an OperationOutcome).
 */
export function dicomwebRoutes(options: DicomwebOptions): DicomwebRoutes {
  const router = express.Router();
  const run = (handler: Handler) => (req: Request, res: Response, next: NextFunction) => {
    handler(req, res, options).catch(next);
  };
  // WADO-RS of something not held here: the remote archives are asked (proxy mode).
  const proxy = options.proxy;
  const wado = (handler: Handler): Handler =>
    proxy
      ? async (req, res, o) => {
          try {
            await handler(req, res, o);
          } catch (error) {
            if (!(error instanceof DicomwebError) || error.status !== 404 || res.headersSent || DicomwebProxy.proxied(req)) throw error;
            if (!(await proxy.forward(req, res, dicomwebBase(req, o)))) throw error;
          }
        }
      : handler;
  const study = '/studies/:study';
  const series = `${study}/series/:series`;
  const instance = `${series}/instances/:instance`;

  router.post('/studies', run(stow));
  router.post(study, run(stow));

  router.get('/studies', run((req, res, o) => qido(req, res, o, 'study')));
  router.get('/series', run((req, res, o) => qido(req, res, o, 'series')));
  router.get('/instances', run((req, res, o) => qido(req, res, o, 'instance')));
  router.get(`${study}/series`, run((req, res, o) => qido(req, res, o, 'series')));
  router.get(`${study}/instances`, run((req, res, o) => qido(req, res, o, 'instance')));
  router.get(`${series}/instances`, run((req, res, o) => qido(req, res, o, 'instance')));

  for (const path of [study, series, instance]) {
    router.get(path, run(wado(retrieve)));
    router.get(`${path}/metadata`, run(wado(metadata)));
  }
  const frameSource = new FrameSource(options.frameCacheBytes ?? DEFAULT_FRAME_CACHE_BYTES);
  const framesRoute = run(wado((req, res, o) => frames(req, res, o, frameSource)));
  router.get(`${instance}/frames/:frames`, framesRoute);
  for (const path of [study, series]) router.get(`${path}/rendered`, run(wado(renderedScope)));
  for (const path of [instance, `${instance}/frames/:frames`]) router.get(`${path}/rendered`, run(wado((req, res, o) => rendered(req, res, o, 'rendered'))));
  for (const path of [study, series, instance, `${instance}/frames/:frames`]) router.get(`${path}/thumbnail`, run(wado((req, res, o) => rendered(req, res, o, 'thumbnail'))));
  router.get(`${instance}/bulk/:tag`, run(wado(bulk)));
  router.get('/wado', run(wadoUri));

  router.use((req: Request, _res: Response, next: NextFunction) => {
    next(new DicomwebError(404, 'DICOMWEB-ROUTE', { zh: `DICOMweb 不支持 ${req.method} ${req.path.slice(0, 200)}`, en: `DICOMweb has no ${req.method} ${req.path.slice(0, 200)}` }));
  });
  return { router, frames: framesRoute, framesPath: FRAMES_PATH };
}
