/**
 * What dcmjs-dimse sees of a connection: the socket, except that `data` arrives one whole PDU at a
 * time. The library collects a PDU by concatenating every chunk onto what it has so far — quadratic
 * in the PDU length, the largest CPU cost of a C-STORE — and trusts the length in the PDU header.
 * Here each PDU is copied once, and a peer whose PDU claims more than the maximum the gateway
 * announced (PS3.8 9.3.1 forbids it) is disconnected before anything is buffered.
 *
 * The library only writes to, sets timeouts on, listens to and destroys its socket.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

const FORWARDED_EVENTS = ['connect', 'error', 'timeout', 'close', 'end'] as const;

/** Sees the PDUs before the library does (the gateway's own C-STORE path). */
export interface PduInterceptor {
  /** Each whole PDU; returns what the library gets of it (nothing when all was taken). */
  take(pdu: Buffer): Buffer | undefined;
  /**
   * The first 12 bytes of a P-DATA-TF PDU — its header and its first PDV item's — before the rest is
   * assembled: true to receive that PDV's value in pieces as they come off the socket (`piece`),
   * without the PDU ever being copied into one buffer.
   */
  claim(head: Buffer): boolean;
  piece(bytes: Buffer, end: boolean): void;
}

export class PduFramedSocket extends EventEmitter {
  private readonly parts: Buffer[] = [];
  private buffered = 0;
  interceptor: PduInterceptor | undefined;
  /** Bytes of a claimed PDV value still to come. */
  private streaming = 0;

  constructor(
    private readonly socket: Socket,
    private readonly maxPduLength: number,
  ) {
    super();
    for (const event of FORWARDED_EVENTS) socket.on(event, (...args: unknown[]) => this.emit(event, ...args));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  write(data: Buffer): boolean {
    return this.socket.write(data);
  }

  setTimeout(ms: number): this {
    this.socket.setTimeout(ms);
    return this;
  }

  destroy(): void {
    this.socket.destroy();
  }

  end(): void {
    this.socket.end();
  }

  /** The first `n` buffered bytes as one buffer (a copy only when they span chunks), removed. */
  private take(n: number): Buffer {
    const first = this.parts[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const part = this.parts[0] as Buffer;
        const use = Math.min(part.length, n - at);
        part.copy(out, at, 0, use);
        at += use;
        if (use === part.length) this.parts.shift();
        else this.parts[0] = part.subarray(use);
      }
    }
    this.buffered -= n;
    return out;
  }

  private pduLength(): number {
    return this.peek(6).readUInt32BE(2);
  }

  private receive(chunk: Buffer): void {
    if (this.streaming > 0) {
      const n = Math.min(this.streaming, chunk.length);
      this.streaming -= n;
      this.interceptor?.piece(chunk.subarray(0, n), this.streaming === 0);
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    this.parts.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 6) {
      const length = this.pduLength();
      if (length > this.maxPduLength) {
        this.parts.length = 0;
        this.buffered = 0;
        this.socket.destroy();
        return;
      }
      if (this.interceptor && this.buffered >= 12 && this.interceptor.claim(this.peek(12))) {
        this.take(12);
        this.streaming = length - 6;
        if (this.streaming === 0) this.interceptor.piece(Buffer.alloc(0), true);
        while (this.streaming > 0 && this.buffered > 0) {
          const piece = this.take(Math.min(this.streaming, (this.parts[0] as Buffer).length));
          this.streaming -= piece.length;
          this.interceptor.piece(piece, this.streaming === 0);
        }
        if (this.streaming > 0) return;
        continue;
      }
      if (this.buffered < 6 + length) return;
      const pdu = this.take(6 + length);
      const onward = this.interceptor ? this.interceptor.take(pdu) : pdu;
      if (onward) this.emit('data', onward);
    }
  }

  private peek(n: number): Buffer {
    const first = this.parts[0] as Buffer;
    return first.length >= n ? first.subarray(0, n) : Buffer.concat(this.parts, n);
  }
}
