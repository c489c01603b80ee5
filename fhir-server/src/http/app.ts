import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { FhirError } from '../errors/fhir-error.js';
import type { Edge } from '../edges/edge.js';
import { authGate, installAuth } from '../auth/install.js';
import type { Context } from '../router/types.js';
import { toHttpError } from './errors.js';
import { fhirHandler } from './fhir-handler.js';
import { laneListener, type Front } from './lanes.js';
import { CONTENT_TYPE, type Format } from './format.js';
import type { Logger } from './logger.js';
import { serialize } from './serialize.js';

export interface AppState {
  /** False until the database is migrated, and again once shutdown has begun. */
  ready: boolean;
  inFlight: number;
}

/** The one HTTP application, and the server's request listener: the edges' lanes (http/lanes.ts) in front of it. */
export interface Application {
  app: express.Express;
  listener: http.RequestListener;
}

/** FHIR under /fhir, liveness at /healthz, the edges' routes beside them. */
export function createApp(ctx: Context, logger: Logger, state: AppState, edges: readonly Edge[] = []): Application {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  // Behind a TLS-terminating gateway: req.protocol and req.secure (Secure cookies) from its X-Forwarded-* headers.
  if (ctx.config.trustProxy !== undefined) app.set('trust proxy', ctx.config.trustProxy);

  // Every /fhir, /dicomweb and /bulk request has its principal (or a 401) before it is routed.
  const front: Front = { handlers: [requestLog(logger, state), ...authGate(ctx)], onError: renderError(ctx, logger) };
  app.use(...front.handlers);

  app.get('/healthz', async (_req, res) => {
    if (!state.ready) {
      res.status(503).json({ status: 'unavailable' });
      return;
    }
    try {
      await ctx.db.query('SELECT 1');
      res.json({ status: 'ok', database: ctx.db.kind });
    } catch {
      res.status(503).json({ status: 'database-unavailable' });
    }
  });

  installAuth(app, ctx, logger);

  const fhir = express.Router();
  fhir.use((_req, _res, next) => next(state.ready ? undefined : new FhirError('server.unavailable')));
  fhir.use(express.raw({ type: () => true, limit: ctx.config.maxBodyBytes }));
  const handler = fhirHandler(ctx);
  fhir.use((req, res, next) => {
    handler(req, res).catch(next);
  });
  app.use('/fhir', fhir);
  for (const edge of edges) edge.mount?.(app);

  app.use((req, _res, next) => next(new FhirError('route.not-found', { method: req.method, path: req.path })));
  app.use(front.onError);
  return { app, listener: laneListener(edges.flatMap((e) => e.lanes ?? []), front, app) };
}

/** The request id (the client's `X-Request-Id` or a new one), the in-flight count for a graceful stop, one log line per request. */
function requestLog(logger: Logger, state: AppState): RequestHandler {
  return (req, res, next) => {
    const requestId = req.get('x-request-id')?.slice(0, 64) || randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    state.inFlight++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      state.inFlight--;
      logger.log(res.statusCode >= 500 ? 'error' : 'info', 'request', {
        reqId: requestId,
        method: req.method,
        url: req.originalUrl.slice(0, 500),
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

/** Any error as an OperationOutcome (XML when the request negotiated XML); an unexpected one is logged with its stack. */
function renderError(ctx: Context, logger: Logger): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = String(res.locals.requestId);
    const { status, outcome, internal } = toHttpError(error, requestId, ctx.config.maxBodyBytes);
    if (internal) logger.log('error', 'unhandled error', { reqId: requestId, error: String((error as Error)?.stack ?? error) });
    if (res.headersSent) {
      res.end();
      return;
    }
    const format: Format = res.locals.format === 'xml' ? 'xml' : 'json';
    res.status(status).setHeader('Content-Type', CONTENT_TYPE[format]);
    res.end(req.method === 'HEAD' ? undefined : serialize(outcome, format, false));
  };
}

/**
 * Request and response classes whose instances are born with the application's Express prototypes
 * (for `http.createServer`'s `IncomingMessage` and `ServerResponse` options). Express otherwise
 * swaps the prototype of every request and response object as it arrives, which leaves Node's own
 * HTTP code working on objects of ever-changing shape: the same 512 KiB frame reply took 3–4 times
 * as long to write. With the prototype already in place Express's swap changes nothing.
 */
export function expressMessageClasses(app: express.Express): Pick<http.ServerOptions, 'IncomingMessage' | 'ServerResponse'> {
  function Request(this: http.IncomingMessage, socket: Socket) {
    http.IncomingMessage.call(this, socket);
  }
  Request.prototype = app.request;
  function Response(this: http.ServerResponse, req: http.IncomingMessage, options?: unknown) {
    (http.ServerResponse as unknown as (this: http.ServerResponse, req: http.IncomingMessage, options?: unknown) => void).call(this, req, options);
  }
  Response.prototype = app.response;
  return { IncomingMessage: Request as unknown as typeof http.IncomingMessage, ServerResponse: Response as unknown as typeof http.ServerResponse };
}
