import { STATUS_CODES } from 'node:http';
import type { BundleEntry } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import { fullUrl, type OutEntry } from './bundle-builder.js';
import { parsePath } from './path.js';
import { etag, versionPath } from './responses.js';
import type { FhirRequest, FhirResponse, Method, ParsedPath } from './types.js';

export interface ParsedEntry {
  index: number;
  method: Method;
  fullUrl: string | undefined;
  resource: unknown;
  path: ParsedPath;
  request: FhirRequest;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Turns a batch/transaction entry into the FhirRequest the same REST interaction would receive. */
export function parseEntry(entry: BundleEntry, index: number, outer: Pick<FhirRequest, 'baseUrl' | 'principal'>): ParsedEntry {
  const { baseUrl } = outer;
  const request = entry.request;
  if (!request?.method || !request.url) throw new FhirError('bundle.entry-request-missing', {}, `Bundle.entry[${index}].request`);
  const method = request.method.toUpperCase();
  if (!METHODS.has(method)) throw new FhirError('bundle.entry-url-invalid', { url: `${method} ${request.url}` }, `Bundle.entry[${index}].request.method`);
  let url = request.url;
  if (url.startsWith(`${baseUrl}/`)) url = url.slice(baseUrl.length + 1);
  if (/^[a-z]+:/i.test(url) || url.startsWith('/')) throw new FhirError('bundle.entry-url-invalid', { url: request.url }, `Bundle.entry[${index}].request.url`);
  const [pathPart = '', queryPart] = url.split(/\?(.*)/s);
  const path = parsePath(pathPart);
  const body = method === 'PATCH' ? patchBody(entry) : entry.resource;
  const req: FhirRequest = {
    method: method as Method,
    path: pathPart,
    query: queryPart ? [...new URLSearchParams(queryPart)] : [],
    ...(body !== undefined ? { body } : {}),
    ...(method === 'PATCH' ? { contentType: patchType(entry) } : {}),
    ...(request.ifMatch ? { ifMatch: request.ifMatch } : {}),
    ...(request.ifNoneMatch ? { ifNoneMatch: request.ifNoneMatch } : {}),
    ...(request.ifModifiedSince ? { ifModifiedSince: request.ifModifiedSince } : {}),
    ...(request.ifNoneExist ? { ifNoneExist: request.ifNoneExist } : {}),
    prefer: {},
    baseUrl,
    principal: outer.principal,
  };
  return { index, method: method as Method, fullUrl: entry.fullUrl, resource: entry.resource, path, request: req };
}

/** In a Bundle a JSON Patch travels as a Binary whose data is the patch; FHIRPath Patch as Parameters. */
function patchBody(entry: BundleEntry): unknown {
  const resource = entry.resource as { resourceType?: string; data?: string } | undefined;
  if (resource?.resourceType === 'Binary' && typeof resource.data === 'string') {
    try {
      return JSON.parse(Buffer.from(resource.data, 'base64').toString('utf8'));
    } catch {
      throw new FhirError('patch.invalid', { detail: 'Binary.data is not a base64 JSON Patch' });
    }
  }
  return resource;
}

function patchType(entry: BundleEntry): string {
  return entry.resource?.resourceType === 'Binary' ? 'application/json-patch+json' : 'application/fhir+json';
}

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

export function entryResponse(res: FhirResponse, outer: FhirRequest): OutEntry {
  const v = res.version;
  const minimal = outer.prefer.return === 'minimal';
  const isOutcome = (res.body as { resourceType?: string } | undefined)?.resourceType === 'OperationOutcome';
  return {
    ...(v && !v.deleted ? { fullUrl: fullUrl(outer.baseUrl, v) } : {}),
    ...(res.body && !minimal && !isOutcome ? { resource: res.body } : {}),
    response: {
      status: statusLine(res.status),
      ...(v && !v.deleted ? { location: versionPath(v), etag: etag(v.versionId), lastModified: v.lastUpdated } : {}),
      ...(isOutcome ? { outcome: res.body } : res.outcome ? { outcome: res.outcome } : {}),
    },
  };
}
