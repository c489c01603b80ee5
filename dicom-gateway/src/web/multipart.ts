import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { drained } from './drain.js';
import { DicomwebError } from './errors.js';

/** One part of a multipart/related body as it arrives: its headers (lower-case names) and its bytes as a stream. */
export interface IncomingPart {
  headers: Record<string, string>;
  body: Readable;
}

export const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Reads a multipart body (RFC 2046) chunk by chunk and hands each part to `onPart` as a stream. The
 * request is read only as fast as the current part's consumer writes it away, and at most
 * `concurrency` parts are being handled at once (a part's consumer may still be indexing while the
 * next one streams in), so memory stays bounded whatever the body's size. Results keep part order.
 */
export async function readMultipart<T>(body: AsyncIterable<Buffer>, boundary: string, onPart: (part: IncomingPart) => Promise<T>, concurrency = 1): Promise<T[]> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const results: Promise<T>[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const finish = async (work: Promise<T>): Promise<void> => {
    results.push(work);
    const settled: Promise<unknown> = work.then(
      (): boolean => inFlight.delete(settled),
      (): boolean => inFlight.delete(settled),
    );
    inFlight.add(settled);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
  };
  // The first delimiter may open the body without a preceding CRLF.
  let buf: Buffer = Buffer.from(CRLF);
  let state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  let part: PassThrough | undefined;
  let pending: Promise<T> | undefined;

  const write = async (data: Buffer): Promise<void> => {
    if (!part || data.length === 0 || part.destroyed) return;
    if (!part.write(data)) await drained(part);
  };

  const step = async (): Promise<boolean> => {
    switch (state) {
      case 'preamble': {
        const at = buf.indexOf(delimiter);
        if (at < 0) {
          buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
          return false;
        }
        buf = buf.subarray(at + delimiter.length);
        state = 'after-delimiter';
        return true;
      }
      case 'after-delimiter': {
        if (buf.length < 2) return false;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'done';
          return false;
        }
        const eol = buf.indexOf(CRLF);
        if (eol < 0) return false;
        buf = buf.subarray(eol + 2);
        state = 'headers';
        return true;
      }
      case 'headers': {
        const end = buf.subarray(0, 2).equals(CRLF) ? -2 : buf.indexOf(HEADER_END);
        if (end === -1) {
          if (buf.length > MAX_HEADER_BYTES) throw new DicomwebError(400, 'DICOMWEB-MULTIPART', { zh: 'multipart 部分的头部过长', en: 'multipart part headers are too long' });
          return false;
        }
        const headers = parseHeaders(end < 0 ? '' : buf.subarray(0, end).toString('latin1'));
        buf = buf.subarray(end < 0 ? 2 : end + 4);
        part = new PassThrough({ highWaterMark: 1024 * 1024 });
        pending = onPart({ headers, body: part });
        // Surface a consumer's failure only once the part is finished with.
        pending.catch(() => undefined);
        state = 'body';
        return true;
      }
      case 'body': {
        const at = buf.indexOf(delimiter);
        if (at < 0) {
          const keep = delimiter.length - 1;
          if (buf.length > keep) {
            const data = buf.subarray(0, buf.length - keep);
            buf = buf.subarray(buf.length - keep);
            await write(data);
          }
          return false;
        }
        await write(buf.subarray(0, at));
        buf = buf.subarray(at + delimiter.length);
        part?.end();
        await finish(pending as Promise<T>);
        part = undefined;
        pending = undefined;
        state = 'after-delimiter';
        return true;
      }
      case 'done':
        return false;
    }
  };

  try {
    for await (const chunk of body) {
      if ((state as string) === 'done') continue;
      if ((state as string) === 'body' && buf.length < delimiter.length && chunk.length >= delimiter.length) {
        // Inside a part, most chunks hold no delimiter: pass them on without copying them.
        const joint = Buffer.concat([buf, chunk.subarray(0, delimiter.length - 1)]);
        if (joint.indexOf(delimiter) < 0 && chunk.indexOf(delimiter) < 0) {
          const keep = chunk.length - (delimiter.length - 1);
          await write(buf);
          await write(chunk.subarray(0, keep));
          buf = chunk.subarray(keep);
          continue;
        }
      }
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (await step());
    }
  } catch (error) {
    // The client went away (or the body broke): the part in progress fails and its consumer cleans up.
    if (part) part.destroy(error as Error);
    await Promise.allSettled([...results, ...(pending ? [pending] : [])]);
    throw error;
  }
  if (part) {
    // The body ended inside a part: that part is truncated.
    part.destroy(new DicomwebError(400, 'DICOMWEB-MULTIPART', { zh: 'multipart 请求体在某部分中途结束', en: 'the multipart body ends in the middle of a part' }));
    results.push(pending as Promise<T>);
  }
  return Promise.all(results);
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** A media type and its parameters (names lower-cased, quotes removed). */
export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseMediaType(value: string): MediaType {
  const [type, ...rest] = splitOutsideQuotes(value, ';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: (type ?? '').trim().toLowerCase(), params };
}

/** An Accept header's alternatives, in the order given (q-values are not weighed: the first that fits wins). */
export function parseAccept(value: string | undefined): MediaType[] {
  if (!value || !value.trim()) return [{ type: '*/*', params: {} }];
  return splitOutsideQuotes(value, ',').map(parseMediaType).filter((m) => m.type);
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of value) {
    if (c === '"') quoted = !quoted;
    if (c === separator && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/**
 * A boundary must not occur in the parts it separates; 96 random bits drawn once per process keep
 * image data from containing it, and the counter keeps it distinct per reply. Drawing fresh random
 * bytes for every frame a viewer fetches cost more than the rest of building the reply.
 */
const BOUNDARY_PREFIX = `qiao-${randomBytes(12).toString('hex')}`;
let boundaries = 0;

export function newBoundary(): string {
  boundaries = (boundaries + 1) % Number.MAX_SAFE_INTEGER;
  return `${BOUNDARY_PREFIX}-${boundaries.toString(36)}`;
}
