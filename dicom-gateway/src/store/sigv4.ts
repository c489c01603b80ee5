import { createHash, createHmac } from 'node:crypto';

/** The hash of an empty body, and the marker for a body that is streamed without being hashed first. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface SigningKeys {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface RequestToSign {
  method: string;
  /** `host[:port]` exactly as sent in the Host header. */
  host: string;
  /** The path as sent, already percent-encoded (S3 does not encode it a second time). */
  path: string;
  query: readonly (readonly [string, string])[];
  /** Headers to sign besides host and the two x-amz ones added here (names in any case). */
  headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, `EMPTY_SHA256`, or `UNSIGNED_PAYLOAD`. */
  payloadHash: string;
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded, as SigV4 requires. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * AWS Signature Version 4 for S3 (service `s3`), header-based: returns the headers to send —
 * `x-amz-date`, `x-amz-content-sha256`, `authorization` and the signed ones given. The signing key
 * depends only on the day, so it is derived once a day.
 */
export class SigV4 {
  private day = '';
  private key: Buffer = Buffer.alloc(0);

  constructor(private readonly keys: SigningKeys) {}

  sign(request: RequestToSign, now: Date = new Date()): Record<string, string> {
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = String(value).trim().replace(/\s+/g, ' ');
    headers.host = request.host;
    headers['x-amz-date'] = amzDate;
    headers['x-amz-content-sha256'] = request.payloadHash;
    const names = Object.keys(headers).sort();
    const signedHeaders = names.join(';');
    const canonicalQuery = request.query
      .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
      .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalRequest = [
      request.method,
      request.path,
      canonicalQuery,
      names.map((n) => `${n}:${headers[n]}\n`).join(''),
      signedHeaders,
      request.payloadHash,
    ].join('\n');
    const scope = `${day}/${this.keys.region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    if (day !== this.day) {
      this.key = hmac(hmac(hmac(hmac(`AWS4${this.keys.secretAccessKey}`, day), this.keys.region), 's3'), 'aws4_request');
      this.day = day;
    }
    const signature = createHmac('sha256', this.key).update(stringToSign, 'utf8').digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.keys.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`;
    return headers;
  }
}

export function sha256Of(buffers: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const b of buffers) hash.update(b);
  return hash.digest('hex');
}
