import { FhirError } from '../errors/fhir-error.js';

export type Format = 'json' | 'xml';

const FORMAT_PARAM: Record<string, Format> = {
  json: 'json',
  'application/json': 'json',
  'application/fhir+json': 'json',
  xml: 'xml',
  'application/xml': 'xml',
  'application/fhir+xml': 'xml',
  'text/xml': 'xml',
};

/**
 * Response format from `_format`, else Accept. Browsers' `text/html` and `*\/*` get JSON; an
 * Accept that names only types we cannot produce is a 406.
 */
export function responseFormat(formatParam: string | undefined, accept: string | undefined): Format {
  if (formatParam !== undefined) {
    const format = FORMAT_PARAM[formatParam.split(';')[0]?.trim().toLowerCase() ?? ''];
    if (!format) throw new FhirError('format.not-acceptable', { type: formatParam });
    return format;
  }
  if (!accept) return 'json';
  const ranges = accept
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { type } of ranges) {
    const format = FORMAT_PARAM[type];
    if (format) return format;
    if (type === '*/*' || type === 'application/*' || type === 'text/html' || type === 'text/*') return 'json';
  }
  throw new FhirError('format.not-acceptable', { type: accept });
}

export const CONTENT_TYPE: Record<Format, string> = {
  json: 'application/fhir+json; charset=utf-8',
  xml: 'application/fhir+xml; charset=utf-8',
};

export type BodyKind = 'json' | 'xml' | 'json-patch' | 'form';

/** How to read a request body, from its Content-Type (sniffed when absent, as curl users often omit it). */
export function bodyKind(contentType: string | undefined, body: Buffer): BodyKind {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type) return body.subarray(0, 64).toString('utf8').trimStart().startsWith('<') ? 'xml' : 'json';
  if (type === 'application/fhir+json' || type === 'application/json' || type === 'text/json') return 'json';
  if (type === 'application/json-patch+json') return 'json-patch';
  if (type === 'application/fhir+xml' || type === 'application/xml' || type === 'text/xml') return 'xml';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  throw new FhirError('body.unsupported-media', { type });
}
