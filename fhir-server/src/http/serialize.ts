import { randomBytes } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { resourceToXml } from '../format/xml.js';
import { RawJson, type Body } from '../router/types.js';
import type { Format } from './format.js';

// A per-process random marker, so no string a client sends can be mistaken for a splice point.
const MARKER = `\u0000raw-${randomBytes(8).toString('hex')}\u0000`;
const MARKER_JSON = new RegExp(JSON.stringify(MARKER).replace(/\\/g, '\\\\'), 'g');

/**
 * JSON text of a response body. Stored resources (RawJson) are spliced in as the text they were
 * stored as, so a read or a search page costs no parse/serialise round trip.
 */
export function toJsonText(body: Body, pretty: boolean): string {
  if (pretty) return JSON.stringify(toPlain(body), null, 2);
  if (body instanceof RawJson) return body.text;
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (value instanceof RawJson) {
      raws.push(value.text);
      return MARKER;
    }
    return value;
  });
  if (raws.length === 0) return text;
  let i = 0;
  return text.replace(MARKER_JSON, () => raws[i++] as string);
}

/** The body as plain objects (RawJson parsed), for XML and for pretty printing. */
export function toPlain(body: Body): Resource {
  return JSON.parse(toJsonText(body, false)) as Resource;
}

export function serialize(body: Body, format: Format, pretty: boolean): string {
  return format === 'json' ? toJsonText(body, pretty) : resourceToXml(toPlain(body));
}
