import type http from 'node:http';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { FhirError } from '../errors/fhir-error.js';

/**
 * A route served without Express's router: the same handlers, in the same order, for a request
 * frequent enough that the router's own work shows. A viewer scrolling a series asks for hundreds of
 * WADO-RS frames a second, and measured in the running server the router and its layers took about
 * as long as reading and sending a 512 KiB frame. Anything a lane does not match exactly goes to
 * the Express app, which serves it as before.
 */
export interface Lane {
  method: 'GET';
  /** Where the edge is mounted (`/dicomweb`); its handlers see the path below it, as under Express. */
  mount: string;
  /** The path below the mount; its named groups, percent-decoded, become `req.params`. */
  path: RegExp;
  /** The edge's handlers, after the front ones (request log, CORS, authentication). */
  handlers: readonly RequestHandler[];
  /** What the edge's own error layer makes of an error before the application renders it. */
  mapError?: (error: unknown) => unknown;
}

/** The application's front: the handlers every request meets before routing, and its error renderer. */
export interface Front {
  handlers: readonly RequestHandler[];
  onError: ErrorRequestHandler;
}

/** The server's request listener: a request a lane matches is served by it, every other one by `app`. */
export function laneListener(lanes: readonly Lane[], front: Front, app: http.RequestListener): http.RequestListener {
  if (lanes.length === 0) return app;
  return (req, res) => {
    const found = match(lanes, req);
    if (!found) return app(req, res);
    const [lane, params] = found;
    const request = req as Request;
    const response = res as Response;
    // What Express's own first layers set up (its request and response prototypes are in place already: expressMessageClasses).
    const url = req.url as string;
    request.originalUrl = url;
    request.res = response;
    response.req = request;
    response.locals = Object.create(null) as Response['locals'];
    const fail = (error: unknown) => front.onError(lane.mapError ? lane.mapError(error) : error, request, response, () => undefined);
    run(front.handlers, request, response, fail, () => {
      request.baseUrl = lane.mount;
      request.url = url.slice(lane.mount.length);
      request.params = params;
      run(lane.handlers, request, response, fail, () => fail(new FhirError('route.not-found', { method: req.method ?? 'GET', path: url.split('?')[0] ?? url })));
    });
  };
}

function match(lanes: readonly Lane[], req: http.IncomingMessage): [Lane, Record<string, string>] | undefined {
  const url = req.url ?? '';
  for (const lane of lanes) {
    if (req.method !== lane.method || !url.startsWith(`${lane.mount}/`)) continue;
    const query = url.indexOf('?');
    const groups = lane.path.exec(url.slice(lane.mount.length, query < 0 ? undefined : query))?.groups;
    if (!groups) continue;
    const params: Record<string, string> = {};
    try {
      for (const [name, value] of Object.entries(groups)) params[name] = decodeURIComponent(value);
    } catch {
      return undefined; // a malformed escape: the app answers it as it answers any such path
    }
    return [lane, params];
  }
  return undefined;
}

/** Runs Express-style handlers in order; `next(error)` stops at `fail`, running off the end calls `done`. */
function run(handlers: readonly RequestHandler[], req: Request, res: Response, fail: (error: unknown) => void, done: () => void): void {
  let i = 0;
  const next: NextFunction = (error?: unknown) => {
    if (error !== undefined && error !== null) return fail(error);
    const handler = handlers[i++];
    if (!handler) return done();
    try {
      const result: unknown = handler(req, res, next);
      // Express 5 passes a rejected promise of a handler on as its error, and so does a lane.
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
  next();
}
