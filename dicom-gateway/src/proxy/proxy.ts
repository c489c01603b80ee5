/**
 * Proxy mode (互认调阅代理): QIDO-RS answers include what the configured remote archives hold, and a
 * WADO-RS request for something this gateway does not hold is passed to the remote archives in
 * turn and the first answer streamed back. URLs in remote DICOM JSON (RetrieveURL, BulkDataURI) are
 * rewritten to point at this gateway, so a viewer only ever talks to Qiao. Every remote retrieval
 * is logged (peer, path, status, bytes, time).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { DicomJson } from '../dicom/json.js';
import type { LogPort } from '../ports.js';
import type { DicomwebPeer } from './peers.js';

/** Marks requests made by a Qiao proxy; a request carrying it is never passed on again (no loops). */
const VIA = '1.1 qiao-dicomweb-proxy';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface DicomwebProxyOptions {
  peers: readonly DicomwebPeer[];
  log?: LogPort;
  /** How long a peer has to start answering (headers), per request. */
  timeoutMs?: number;
}

/** What the remote archives answered to a QIDO-RS query. */
export interface RemoteAnswer {
  results: { peer: string; item: DicomJson }[];
  /** Peers that could not answer, with why. */
  failures: { peer: string; why: string }[];
}

export class DicomwebProxy {
  readonly peers: readonly DicomwebPeer[];
  private readonly log: LogPort | undefined;
  private readonly timeoutMs: number;

  constructor(options: DicomwebProxyOptions) {
    this.peers = options.peers;
    this.log = options.log;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** True when the request came through a Qiao proxy already: it is answered from local data only. */
  static proxied(req: Request): boolean {
    return (req.get('via') ?? '').includes('qiao-dicomweb-proxy');
  }

  /** The same QIDO-RS request (`path` and query string relative to the DICOMweb root) to every peer at once. */
  async query(pathAndQuery: string, base: string): Promise<RemoteAnswer> {
    const answer: RemoteAnswer = { results: [], failures: [] };
    await Promise.all(
      this.peers.map(async (peer) => {
        try {
          const reply = await this.fetch(peer, pathAndQuery, 'application/dicom+json');
          if (reply.status === 204 || reply.status === 404) return;
          if (reply.status !== 200) throw new Error(`HTTP ${reply.status}`);
          const items = JSON.parse(rebase(await reply.text(), peer, base)) as unknown;
          if (!Array.isArray(items)) throw new Error('the answer is not a JSON array');
          for (const item of items) if (item && typeof item === 'object') answer.results.push({ peer: peer.name, item: item as DicomJson });
        } catch (error) {
          answer.failures.push({ peer: peer.name, why: describe(error) });
        }
      }),
    );
    return answer;
  }

  /**
   * A WADO-RS request this gateway cannot answer, tried on each peer in turn: the first success is
   * streamed back (DICOM JSON with its URLs rewritten). False when no peer had it.
   */
  async forward(req: Request, res: Response, base: string): Promise<boolean> {
    const pathAndQuery = req.url;
    for (const peer of this.peers) {
      const started = performance.now();
      let reply: globalThis.Response;
      try {
        reply = await this.fetch(peer, pathAndQuery, req.get('accept') ?? '*/*');
      } catch (error) {
        this.log?.log('warn', 'DICOMweb proxy: peer did not answer', { peer: peer.name, path: pathAndQuery, error: describe(error) });
        continue;
      }
      if (reply.status < 200 || reply.status >= 300 || reply.status === 204) {
        this.log?.log('info', 'DICOMweb proxy retrieval', { peer: peer.name, path: pathAndQuery, status: reply.status, bytes: 0, ms: Math.round(performance.now() - started) });
        await reply.body?.cancel().catch(() => undefined);
        // A 406 means the peer has it but not in that form: no other peer is asked for another's study.
        if (reply.status === 406) {
          res.status(406).setHeader('Content-Type', reply.headers.get('content-type') ?? 'text/plain');
          res.end();
          return true;
        }
        continue;
      }
      const type = reply.headers.get('content-type') ?? 'application/octet-stream';
      res.status(reply.status).setHeader('Content-Type', type);
      let bytes = 0;
      if (/^application\/(dicom\+)?json/i.test(type)) {
        const body = Buffer.from(rebase(await reply.text(), peer, base));
        bytes = body.length;
        res.end(body);
      } else if (reply.body) {
        const body = Readable.fromWeb(reply.body as import('node:stream/web').ReadableStream<Uint8Array>);
        body.on('data', (chunk: Buffer) => (bytes += chunk.length));
        await pipeline(body, res).catch((error: unknown) => this.log?.log('warn', 'DICOMweb proxy: transfer broken off', { peer: peer.name, path: pathAndQuery, error: describe(error) }));
      } else res.end();
      this.log?.log('info', 'DICOMweb proxy retrieval', { peer: peer.name, path: pathAndQuery, status: reply.status, bytes, ms: Math.round(performance.now() - started) });
      return true;
    }
    return false;
  }

  private async fetch(peer: DicomwebPeer, pathAndQuery: string, accept: string): Promise<globalThis.Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    try {
      // identity: the body is passed on as it comes, its length unchanged.
      const headers: Record<string, string> = { accept, 'accept-encoding': 'identity', via: VIA };
      if (peer.authorization) headers.authorization = peer.authorization;
      return await fetch(`${peer.url}${pathAndQuery}`, { headers, signal: controller.signal, redirect: 'error' });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A peer's own URLs in its DICOM JSON, made this gateway's. */
function rebase(text: string, peer: DicomwebPeer, base: string): string {
  return text.split(peer.url).join(base);
}

function describe(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown } };
  return String(e?.cause?.message ?? e?.message ?? error).slice(0, 200);
}
