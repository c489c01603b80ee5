import express, { type NextFunction, type Request, type Response } from 'express';
import { DicomwebProxy } from '../proxy/proxy.js';
import { dicomwebBase, type DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';
import { FrameSource } from './frame-source.js';
import { qido } from './qido.js';
import { rendered } from './rendered.js';
import { stow } from './stow.js';
import { bulk, frames, metadata, retrieve, wadoUri } from './wado.js';

export type { DicomwebOptions } from './context.js';

type Handler = (req: Request, res: Response, options: DicomwebOptions) => Promise<void>;

/** As Orthanc's storage cache (`MaximumStorageCacheSize`, 128 MB by default). */
const DEFAULT_FRAME_CACHE_BYTES = 128 * 1024 * 1024;

/**
 * The DICOMweb routes (PS3.18), to be mounted by the host (fhir-server mounts it at `/dicomweb`).
 * Errors go to Express's `next` as `DicomwebError`, which the host renders (as an OperationOutcome).
 */
export function dicomwebRouter(options: DicomwebOptions): express.Router {
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
  router.get(`${instance}/frames/:frames`, run(wado((req, res, o) => frames(req, res, o, frameSource))));
  for (const path of [instance, `${instance}/frames/:frames`]) router.get(`${path}/rendered`, run(wado((req, res, o) => rendered(req, res, o, 'rendered'))));
  for (const path of [study, series, instance, `${instance}/frames/:frames`]) router.get(`${path}/thumbnail`, run(wado((req, res, o) => rendered(req, res, o, 'thumbnail'))));
  router.get(`${instance}/bulk/:tag`, run(wado(bulk)));
  router.get('/wado', run(wadoUri));

  router.use((req: Request, _res: Response, next: NextFunction) => {
    next(new DicomwebError(404, 'DICOMWEB-ROUTE', { zh: `DICOMweb 不支持 ${req.method} ${req.path.slice(0, 200)}`, en: `DICOMweb has no ${req.method} ${req.path.slice(0, 200)}` }));
  });
  return router;
}
