import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { IncomingDir, type BlobStore } from './blob.js';
import { EMPTY_SHA256, SigV4, sha256Of, UNSIGNED_PAYLOAD, uriEncode } from './sigv4.js';

/** Where the objects go: an S3-compatible service and a bucket in it. */
export interface S3Location {
  /** `http(s)://host[:port]`, optionally with a base path. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Put before every key (`qiao/dicom/` → `qiao/dicom/<study>/…`). */
  prefix?: string;
  /**
   * `path` (default; `endpoint/bucket/key`, as MinIO and Ceph expect) or `virtual`
   * (`bucket.endpoint-host/key`, which Alibaba Cloud OSS requires).
   */
  addressing?: 'path' | 'virtual';
}

export interface S3BlobOptions extends S3Location {
  /** Local directory where incoming files are staged before their upload (`<dir>/.incoming`). */
  localDir: string;
  /** Files from this size on are uploaded in parts (default 64 MiB). */
  multipartBytes?: number;
  /** Size of each part but the last (default 16 MiB; S3 wants at least 5 MiB). */
  partBytes?: number;
  /** A request that receives nothing for this long fails (default 60 s). */
  timeoutMs?: number;
  /** Makes the connections (default: one kept-alive agent of up to 64 sockets). */
  agent?: http.Agent;
}

/** An error answer of the service, with its S3 error code (`NoSuchKey`, `AccessDenied`, …). */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly key: string | undefined,
  ) {
    super(`S3 ${status} ${code}: ${message}${key ? ` (${key})` : ''}`);
    this.name = 'S3Error';
  }
}

const SAFE_KEY = /^[0-9A-Za-z._/-]+$/;

/** Keys come from validated UIDs; this refuses anything else that could name another object. */
function checkKey(key: string, what = 'storage key'): void {
  if (!SAFE_KEY.test(key) || key.includes('..') || key.startsWith('/') || key.includes('//')) throw new Error(`${what} not allowed: ${JSON.stringify(key)}`);
}

interface Sent {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  key: string;
  query?: [string, string][];
  headers?: Record<string, string>;
  /** A body given whole (hashed), or streamed with its length (unsigned; opened again for a retry). */
  body?: readonly Buffer[] | { open: () => Readable; length: number };
}

/** Answers worth another try (S3's InternalError, SlowDown, a gateway's hiccup), and connections that broke. */
const RETRY_STATUS = new Set([500, 502, 503, 504]);
const RETRY_ERRNO = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT']);
const ATTEMPTS = 3;
const TEXT_BODY_BYTES = 64 * 1024;

/**
 * `BlobStore` on S3-compatible object storage, with Node's own HTTP client and a SigV4 signature.
 * Incoming files are staged on the local disk (`incomingPath`) and uploaded by `put`, which removes
 * the local copy once the object is there.
 *
 * An upload is a plain PutObject even when an object is already under the key: the store's keys
 * carry the first 16 hex digits of the content's SHA-256, so that object holds the same bytes and
 * overwriting it changes nothing (no conditional PUT: not every S3-compatible service supports
 * `If-None-Match`). A file is streamed as `UNSIGNED-PAYLOAD` (the store hashed it already, as it
 * arrived); bodies made here (the multipart completion) are signed with their SHA-256.
 */
export class S3BlobStore implements BlobStore {
  private readonly signer: SigV4;
  private readonly base: URL;
  /** Host header and name to connect to: the endpoint's, or the bucket's own for virtual addressing. */
  private readonly host: string;
  private readonly hostname: string;
  /** Path up to the key: the endpoint's base path, then the bucket for path-style addressing. */
  private readonly basePath: string;
  private readonly prefix: string;
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private readonly incoming: IncomingDir;
  private readonly multipartBytes: number;
  private readonly partBytes: number;
  private readonly timeoutMs: number;

  constructor(options: S3BlobOptions) {
    this.base = new URL(options.endpoint);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new Error(`S3 endpoint must be an http(s) URL, not ${options.endpoint}`);
    checkKey(options.bucket, 'S3 bucket');
    if (options.prefix) checkKey(options.prefix.replace(/\/$/, ''), 'S3 key prefix');
    this.prefix = options.prefix ? options.prefix.replace(/\/?$/, '/') : '';
    const endpointPath = this.base.pathname.replace(/\/+$/, '');
    if (options.addressing === 'virtual') {
      // The bucket becomes a DNS label: lower case, no underscores.
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) throw new Error(`S3 bucket not allowed for virtual-hosted addressing: ${JSON.stringify(options.bucket)}`);
      this.host = `${options.bucket}.${this.base.host}`;
      this.hostname = `${options.bucket}.${this.base.hostname}`;
      this.basePath = endpointPath;
    } else {
      this.host = this.base.host;
      this.hostname = this.base.hostname.replace(/^\[|\]$/g, '');
      this.basePath = `${endpointPath}/${uriEncode(options.bucket)}`;
    }
    this.signer = new SigV4(options);
    this.client = this.base.protocol === 'https:' ? https : http;
    this.agent = options.agent ?? new this.client.Agent({ keepAlive: true, maxSockets: 64 });
    this.incoming = new IncomingDir(path.join(options.localDir, '.incoming'));
    this.multipartBytes = options.multipartBytes ?? 64 * 1024 * 1024;
    this.partBytes = Math.max(options.partBytes ?? 16 * 1024 * 1024, 1);
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  incomingPath(name: string): Promise<string> {
    return this.incoming.path(name);
  }

  /** Uploads the staged file (in parts from `multipartBytes` on), then removes it; on failure it stays for the caller. */
  async put(key: string, localPath: string): Promise<void> {
    checkKey(key);
    const { size } = await stat(localPath);
    if (size >= this.multipartBytes) await this.multipart(key, localPath, size);
    else await collect(await this.request({ method: 'PUT', key, body: { open: () => createReadStream(localPath), length: size } }));
    await rm(localPath, { force: true });
  }

  private async multipart(key: string, localPath: string, size: number): Promise<void> {
    const created = await collect(await this.request({ method: 'POST', key, query: [['uploads', '']] }));
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
    if (!uploadId) throw new S3Error(200, 'InvalidResponse', 'CreateMultipartUpload answered without an UploadId', key);
    try {
      const etags: string[] = [];
      for (let start = 0, part = 1; start < size; start += this.partBytes, part++) {
        const length = Math.min(this.partBytes, size - start);
        const res = await this.request({
          method: 'PUT',
          key,
          query: [['partNumber', String(part)], ['uploadId', uploadId]],
          body: { open: () => createReadStream(localPath, { start, end: start + length - 1 }), length },
        });
        const etag = res.headers.etag;
        await collect(res);
        if (!etag) throw new S3Error(200, 'InvalidResponse', `UploadPart ${part} answered without an ETag`, key);
        etags.push(etag);
      }
      const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      // CompleteMultipartUpload may answer 200 and still fail: the error is in the body.
      const done = await collect(await this.request({ method: 'POST', key, query: [['uploadId', uploadId]], headers: { 'content-type': 'application/xml' }, body: [Buffer.from(xml)] }));
      if (/<Error>/.test(done)) throw errorOf(200, done, key);
    } catch (error) {
      await this.request({ method: 'DELETE', key, query: [['uploadId', uploadId]] })
        .then((res) => collect(res))
        .catch(() => undefined);
      throw error;
    }
  }

  /** A ranged GetObject; a range past the end gives fewer bytes (none past the end), like a file read. */
  async read(key: string, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    checkKey(key);
    const buffer = into ?? Buffer.allocUnsafe(length);
    if (length <= 0) return buffer.subarray(0, 0);
    const res = await this.request({ method: 'GET', key, headers: { range: `bytes=${offset}-${offset + length - 1}` } }, [200, 206, 416]);
    if (res.statusCode === 416) {
      res.resume();
      return buffer.subarray(0, 0);
    }
    // A service that ignores Range answers 200 with the whole object: skip to the offset.
    let skip = res.statusCode === 200 ? offset : 0;
    let filled = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      let piece = chunk;
      if (skip) {
        const dropped = Math.min(skip, piece.length);
        piece = piece.subarray(dropped);
        skip -= dropped;
      }
      const n = Math.min(piece.length, length - filled);
      piece.copy(buffer, filled, 0, n);
      filled += n;
      // A 206 ends with the range (reading to its end keeps the connection for reuse); a whole object is cut off.
      if (filled === length && res.statusCode === 200) {
        res.destroy();
        break;
      }
    }
    return filled === length ? buffer : buffer.subarray(0, filled);
  }

  /** A GetObject streamed as it arrives; an error answer or a broken connection becomes the stream's error. */
  stream(key: string, start?: number, endInclusive?: number): Readable {
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    try {
      checkKey(key);
    } catch (error) {
      process.nextTick(() => out.destroy(error as Error));
      return out;
    }
    const ranged = start !== undefined || endInclusive !== undefined;
    const headers: Record<string, string> = ranged ? { range: `bytes=${start ?? 0}-${endInclusive ?? ''}` } : {};
    this.request({ method: 'GET', key, headers }).then(
      (res) => {
        if (out.destroyed) return res.destroy();
        pipeline(res, out, () => undefined);
      },
      (error: Error) => out.destroy(error),
    );
    return out;
  }

  /** DeleteObject; a key that is not there is not an error (S3 itself answers 204). */
  async remove(key: string): Promise<void> {
    checkKey(key);
    const res = await this.request({ method: 'DELETE', key }, [200, 204, 404]);
    if (res.statusCode === 404) {
      const body = await collect(res);
      const error = errorOf(404, body, key);
      if (error.code !== 'NoSuchKey') throw error;
      return;
    }
    await collect(res);
  }

  /** Closes the idle connections kept for reuse. */
  close(): void {
    this.agent.destroy();
  }

  private pathOf(key: string): string {
    return `${this.basePath}/${`${this.prefix}${key}`.split('/').map(uriEncode).join('/')}`;
  }

  /**
   * Sends a signed request and resolves with the response once its status is in `expected` (2xx by
   * default); any other status becomes an `S3Error` from the XML error body. A 5xx answer or a broken
   * connection (a keep-alive connection the service had closed, typically) is tried again, twice, after
   * 100 and 400 ms: every request made here can be repeated (the multipart creation leaves at worst
   * an unfinished upload, which the bucket's lifecycle rule removes).
   */
  private async request(sent: Sent, expected?: number[]): Promise<http.IncomingMessage> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(sent, expected);
      } catch (error) {
        const retry = error instanceof S3Error ? RETRY_STATUS.has(error.status) : RETRY_ERRNO.has((error as NodeJS.ErrnoException).code ?? '');
        if (!retry || attempt === ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** (attempt - 1)));
      }
    }
  }

  private attempt(sent: Sent, expected: number[] | undefined): Promise<http.IncomingMessage> {
    const body = sent.body;
    const whole = Array.isArray(body) ? (body as readonly Buffer[]) : undefined;
    const source = body && !whole ? (body as { open: () => Readable; length: number }) : undefined;
    const streamed = source ? { stream: source.open(), length: source.length } : undefined;
    const length = whole ? whole.reduce((n, b) => n + b.length, 0) : streamed?.length;
    const payloadHash = whole ? sha256Of(whole) : streamed ? UNSIGNED_PAYLOAD : EMPTY_SHA256;
    const pathname = this.pathOf(sent.key);
    const query = sent.query ?? [];
    const headers = this.signer.sign({ method: sent.method, host: this.host, path: pathname, query, headers: sent.headers ?? {}, payloadHash });
    if (length !== undefined) headers['content-length'] = String(length);
    const search = query.map(([k, v]) => (v === '' ? uriEncode(k) : `${uriEncode(k)}=${uriEncode(v)}`)).join('&');
    return new Promise((resolve, reject) => {
      const req = this.client.request(
        {
          protocol: this.base.protocol,
          hostname: this.hostname,
          port: this.base.port || undefined,
          method: sent.method,
          path: search ? `${pathname}?${search}` : pathname,
          headers,
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (expected ? expected.includes(status) : status >= 200 && status < 300) return resolve(res);
          collect(res).then(
            (text) => reject(errorOf(status, text, sent.key)),
            (error: unknown) => reject(error),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`S3 ${sent.method} ${sent.key}: no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) => {
        streamed?.stream.destroy();
        reject(error);
      });
      if (whole) {
        for (const b of whole) req.write(b);
        req.end();
      } else if (streamed) {
        pipeline(streamed.stream, req, (error) => {
          if (error) req.destroy(error);
        });
      } else req.end();
    });
  }
}

/** The body of an answer as text; beyond 64 KiB (no S3 answer read here is that long) the rest is dropped. */
function collect(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    res.on('data', (c: Buffer) => {
      if (bytes < TEXT_BODY_BYTES) chunks.push(c);
      bytes += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** The code and message of an S3 error body (plain text matching; the XML is never parsed, so no entity is expanded). */
function errorOf(status: number, body: string, key: string | undefined): S3Error {
  const code = /<Code>([^<]{1,200})<\/Code>/.exec(body)?.[1] ?? (status === 404 ? 'NotFound' : status === 403 ? 'AccessDenied' : `HTTP${status}`);
  const message = /<Message>([^<]{0,1000})<\/Message>/.exec(body)?.[1] ?? (body.trim().slice(0, 200) || 'no error body');
  return new S3Error(status, code, message, key);
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
