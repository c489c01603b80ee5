import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import { FhirError } from '../errors/fhir-error.js';
import type { Queryable } from '../repository/db.js';
import { DEVELOPMENT_PRINCIPAL } from './principal.js';
import { liveToken, principalOf } from './tokens.js';

/** Paths whose requests need a bearer token. */
const PROTECTED = ['/fhir', '/dicomweb', '/bulk'];

/** Public parts of the FHIR base: discovery only. */
const PUBLIC_FHIR = /^\/fhir\/(metadata|\.well-known\/(smart|openid)-configuration)\/?$/;

/** Express matches mount paths without regard to case (`/FHIR/Patient` reaches the FHIR router), so this check does too. */
function isProtected(path: string): boolean {
  const lower = path.toLowerCase();
  return PROTECTED.some((p) => lower === p || lower.startsWith(`${p}/`)) && !PUBLIC_FHIR.test(lower);
}

/**
 * Sets `res.locals.principal` for every request to a protected path: from a live bearer token, or
 * DEVELOPMENT_PRINCIPAL when authorisation is off. A missing or dead token is a 401 with an
 * OperationOutcome and `WWW-Authenticate: Bearer`. CORS preflights never get here (cors() answers them).
 */
export function authenticate(config: Config, db: Queryable): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isProtected(req.path)) return next();
    if (config.auth === 'off') {
      res.locals.principal = DEVELOPMENT_PRINCIPAL;
      return next();
    }
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header);
    const fail = (messageId: 'auth.token-missing' | 'auth.token-invalid') => {
      res.setHeader('WWW-Authenticate', messageId === 'auth.token-missing' ? 'Bearer realm="qiao"' : 'Bearer realm="qiao", error="invalid_token"');
      next(new FhirError(messageId));
    };
    if (!m) return fail('auth.token-missing');
    liveToken(db, m[1] as string, 'access').then((token) => {
        if (!token) return fail('auth.token-invalid');
        res.locals.principal = principalOf(token);
        next();
      }, next);
  };
}

const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, Prefer, If-Match, If-None-Match, If-None-Exist, If-Modified-Since, X-Request-Id';
const EXPOSED_HEADERS = 'Location, Content-Location, ETag, Last-Modified, WWW-Authenticate, Retry-After, X-Progress, X-Request-Id';

/**
 * CORS for browser apps served from elsewhere (SMART apps): the API is bearer-token only, no
 * cookies cross origins, so any origin may call it. The login pages are same-origin and get none.
 */
export function cors(): RequestHandler {
  const paths = [...PROTECTED, '/auth/token', '/auth/introspect', '/auth/revoke', '/auth/jwks'];
  return (req, res, next) => {
    if (!req.get('origin') || !paths.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next();
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE');
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
