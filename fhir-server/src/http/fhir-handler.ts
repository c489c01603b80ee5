import type { Request, Response } from 'express';
import { requestPrincipal } from '../access/anonymous.js';
import { maskedReply } from '../access/reply.js';
import { originOf, withOrigin } from '../audit/scope.js';
import { FhirError } from '../errors/fhir-error.js';
import { informational } from '../errors/outcome.js';
import { xmlToResource } from '../format/xml.js';
import { findOperation } from '../operations/registry.js';
import { handle } from '../router/router.js';
import { withSignatureHeader } from '../signatures/header.js';
import { etag } from '../router/responses.js';
import { RawContent, type Context, type FhirRequest, type FhirResponse, type Method, type Prefer } from '../router/types.js';
import { bodyKind, CONTENT_TYPE, responseFormat, type Format } from './format.js';
import { serialize } from './serialize.js';

/** Translates HTTP to a FhirRequest and the FhirResponse back; knows nothing about FHIR semantics. */
export function fhirHandler(ctx: Context) {
  return async (req: Request, res: Response): Promise<void> => {
    const query = queryPairs(req.originalUrl);
    const format = responseFormat(first(query, '_format'), req.get('accept'));
    res.locals.format = format;
    const fhirReq = toFhirRequest(req, query, ctx);
    const result = await withOrigin(originOf(req, res), () => handle(ctx, fhirReq));
    write(res, fhirReq, await maskedReply(ctx, fhirReq.principal, await withSignatureHeader(ctx, fhirReq, result)), format, first(query, '_pretty') === 'true');
  };
}

function toFhirRequest(req: Request, query: [string, string][], ctx: Context): FhirRequest {
  const body = req.body instanceof Buffer && req.body.length > 0 ? req.body : undefined;
  const contentType = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  let parsed: unknown;
  const path = decodePath(req.path);
  if (body && takesRawBody(path)) return { ...baseRequest(req, query, ctx, path, contentType), rawBody: body };
  if (body) {
    const kind = bodyKind(contentType, body);
    if (kind === 'form') query.push(...new URLSearchParams(body.toString('utf8')));
    else parsed = kind === 'xml' ? xmlToResource(body.toString('utf8')) : parseJson(body);
  }
  return { ...baseRequest(req, query, ctx, path, contentType), ...(parsed !== undefined ? { body: parsed } : {}) };
}

function baseRequest(req: Request, query: [string, string][], ctx: Context, path: string, contentType: string | undefined): FhirRequest {
  const header = (name: string) => req.get(name) ?? undefined;
  return {
    method: req.method as Method,
    path,
    query,
    ...(contentType ? { contentType } : {}),
    ...optional('ifMatch', header('if-match')),
    ...optional('ifNoneMatch', header('if-none-match')),
    ...optional('ifModifiedSince', header('if-modified-since')),
    ...optional('ifNoneExist', header('if-none-exist')),
    prefer: parsePrefer(header('prefer')),
    baseUrl: ctx.config.baseUrl ? `${ctx.config.baseUrl}/fhir` : `${req.protocol}://${req.get('host') ?? 'localhost'}/fhir`,
    principal: requestPrincipal(req.res?.locals, ctx.config.auth),
  };
}

/** Operations on documents that are not FHIR (CDA, DICOM) get the bytes as sent. */
function takesRawBody(path: string): boolean {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.startsWith('$') && findOperation(last)?.rawBody === true;
}

function write(res: Response, req: FhirRequest, result: FhirResponse, format: Format, pretty: boolean): void {
  const v = result.version;
  if (v && !v.deleted) {
    res.setHeader('ETag', etag(v.versionId));
    res.setHeader('Last-Modified', new Date(v.lastUpdated).toUTCString());
  }
  if (result.location) res.setHeader('Location', `${req.baseUrl}/${result.location}`);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.status(result.status);
  let body = result.body;
  const isWrite = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
  if (isWrite && v && req.prefer.return === 'minimal') body = undefined;
  if (isWrite && v && req.prefer.return === 'OperationOutcome') {
    const done = informational(`${result.status} ${v.resourceType}/${v.id}/_history/${v.versionId}`);
    // The write's warnings (R4 http.html: hints and warnings rather than the resource) follow the line saying what was stored.
    body = { ...done, issue: [...done.issue, ...(result.outcome?.issue ?? [])] };
  }
  if (body === undefined || result.status === 304 || req.method === 'HEAD') {
    if (req.method === 'HEAD' && body !== undefined) res.setHeader('Content-Type', CONTENT_TYPE[format]);
    res.end();
    return;
  }
  if (body instanceof RawContent) {
    res.setHeader('Content-Type', body.contentType);
    res.end(body.data);
    return;
  }
  res.setHeader('Content-Type', CONTENT_TYPE[format]);
  res.end(serialize(body, format, pretty));
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FhirError('body.malformed-json', { detail: (error as Error).message });
  }
}

/** Query pairs in order, repeated keys kept (AND semantics), from the raw URL. */
function queryPairs(originalUrl: string): [string, string][] {
  const q = originalUrl.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(originalUrl.slice(q + 1))];
}

function first(query: [string, string][], name: string): string | undefined {
  return query.find(([k]) => k === name)?.[1];
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function parsePrefer(header: string | undefined): Prefer {
  const prefer: Prefer = {};
  for (const part of header?.split(/[,;]/) ?? []) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (key === 'return' && (value === 'minimal' || value === 'representation' || value === 'OperationOutcome')) prefer.return = value;
    if (key === 'handling' && (value === 'strict' || value === 'lenient')) prefer.handling = value;
    if (key === 'respond-async') prefer.respondAsync = true;
  }
  return prefer;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path.replace(/^\/+/, ''));
  } catch {
    throw new FhirError('route.not-found', { method: '', path });
  }
}
