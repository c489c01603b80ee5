import net from 'node:net';

export interface GetReply {
  status: number;
  /** Bytes of the body as sent (after chunk framing is removed). */
  length: number;
  /** The body, when asked to keep it; otherwise its first bytes only (for error messages). */
  body: Buffer;
}

const RECEIVE_BYTES = 256 * 1024;
const HEAD_LIMIT = 64 * 1024;
/** What a counted body keeps of itself: enough to show an error reply. */
const PREVIEW_BYTES = 300;

type BodyState =
  | { kind: 'length'; left: number }
  | { kind: 'chunk-size'; line: string }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-crlf'; left: number }
  | { kind: 'trailer'; line: string };

interface Pending {
  keep: boolean;
  resolve: (reply: GetReply) => void;
  reject: (error: Error) => void;
  head: Buffer[];
  headBytes: number;
  status: number;
  body?: BodyState;
  length: number;
  parts: Buffer[];
  keepAlive: boolean;
}

/**
 * A keep-alive HTTP/1.1 GET client for the benchmark that reads every reply into one reused
 * buffer (`net`'s `onread`). `node:http` allocates each chunk it receives and a body gathered
 * with `Buffer.concat` is copied once more: at a few hundred 512 KiB frames a second the
 * measuring process then spends a third of its time collecting that garbage, and its pauses
 * show up as the servers' latency. Bodies that are only checked for size are counted, not kept.
 */
export class GetClient {
  private socket: net.Socket | undefined;
  private pending: Pending | undefined;
  private readonly receive = Buffer.allocUnsafe(RECEIVE_BYTES);

  constructor(private readonly base: URL) {}

  get(path: string, headers: Record<string, string>, options: { keep: boolean }): Promise<GetReply> {
    if (this.pending) return Promise.reject(new Error('GetClient: one request at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { keep: options.keep, resolve, reject, head: [], headBytes: 0, status: 0, length: 0, parts: [], keepAlive: true };
      const socket = this.connected();
      const lines = [`GET ${this.base.pathname.replace(/\/$/, '')}${path} HTTP/1.1`, `Host: ${this.base.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connected(): net.Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = net.connect({
      host: this.base.hostname,
      port: Number(this.base.port || 80),
      noDelay: true,
      onread: { buffer: this.receive, callback: (n) => this.read(this.receive.subarray(0, n)) },
    });
    // A connection this client let go of (a reply said `Connection: close`) has nothing pending.
    socket.on('error', (error) => {
      if (this.socket === socket) this.fail(error);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.fail(new Error('connection closed before the reply was complete'));
    });
    this.socket = socket;
    return socket;
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  /** Returns false (as `onread` callbacks may) never: reading always continues. */
  private read(data: Buffer): boolean {
    let at = 0;
    while (at < data.length && this.pending) {
      const p = this.pending;
      if (!p.body) at = this.readHead(p, data, at);
      else at = this.readBody(p, p.body, data, at);
    }
    return true;
  }

  private readHead(p: Pending, data: Buffer, at: number): number {
    const seen = p.headBytes;
    // Only the head's bytes are copied: the same read usually holds the first 256 KiB of a frame after it.
    const limit = Math.min(data.length, at + HEAD_LIMIT + 1);
    const own = data.subarray(at, limit).indexOf('\r\n\r\n');
    const piece = data.subarray(at, own >= 0 ? at + own + 4 : limit);
    p.head.push(Buffer.from(piece));
    p.headBytes += piece.length;
    const head = Buffer.concat(p.head);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (p.headBytes > HEAD_LIMIT) this.fail(new Error('reply head too long'));
      return at + piece.length;
    }
    const lines = head.toString('latin1', 0, end).split('\r\n');
    p.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
    const fields = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    p.keepAlive = !/close/i.test(fields.get('connection') ?? '');
    const chunked = /chunked/i.test(fields.get('transfer-encoding') ?? '');
    p.body = chunked ? { kind: 'chunk-size', line: '' } : { kind: 'length', left: Number(fields.get('content-length') ?? 0) };
    p.head = [];
    if (p.body.kind === 'length' && p.body.left === 0) this.done(p);
    // What followed the head in this read is body.
    return at + (end + 4 - seen);
  }

  private take(p: Pending, data: Buffer, at: number, count: number): void {
    p.length += count;
    if (p.keep || p.length - count < PREVIEW_BYTES) p.parts.push(Buffer.from(data.subarray(at, at + (p.keep ? count : Math.min(count, PREVIEW_BYTES)))));
  }

  private readBody(p: Pending, body: BodyState, data: Buffer, at: number): number {
    switch (body.kind) {
      case 'length': {
        const count = Math.min(body.left, data.length - at);
        this.take(p, data, at, count);
        body.left -= count;
        if (body.left === 0) this.done(p);
        return at + count;
      }
      case 'chunk-size':
      case 'trailer': {
        const eol = data.indexOf('\n', at);
        const upto = eol < 0 ? data.length : eol + 1;
        body.line += data.toString('latin1', at, upto);
        if (eol < 0) return upto;
        const line = body.line.trim();
        if (body.kind === 'trailer') {
          if (line === '') this.done(p);
          else body.line = '';
          return upto;
        }
        const size = parseInt(line, 16);
        if (!Number.isFinite(size)) {
          this.fail(new Error(`bad chunk size "${line.slice(0, 20)}"`));
          return data.length;
        }
        p.body = size === 0 ? { kind: 'trailer', line: '' } : { kind: 'chunk-data', left: size };
        return upto;
      }
      case 'chunk-data': {
        const count = Math.min(body.left, data.length - at);
        this.take(p, data, at, count);
        body.left -= count;
        if (body.left === 0) p.body = { kind: 'chunk-crlf', left: 2 };
        return at + count;
      }
      case 'chunk-crlf': {
        const count = Math.min(body.left, data.length - at);
        body.left -= count;
        if (body.left === 0) p.body = { kind: 'chunk-size', line: '' };
        return at + count;
      }
    }
  }

  private done(p: Pending): void {
    this.pending = undefined;
    if (!p.keepAlive) this.close();
    p.resolve({ status: p.status, length: p.length, body: Buffer.concat(p.parts) });
  }
}
