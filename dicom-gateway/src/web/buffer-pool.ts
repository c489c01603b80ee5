/**
 * Reusable buffers for frames on their way to a client. A viewer scrolling a CT series asks for
 * hundreds of 512 KiB frames a second; a fresh buffer each time is external memory the garbage
 * collector has to chase (a third of the server's busy time in the frames benchmark). A buffer goes
 * back once its response has closed, when the socket holds no reference to it any more.
 */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private pooledBytes = 0;

  constructor(
    private readonly maxBytes = 64 * 1024 * 1024,
    /** Smaller buffers come from Node's own slab and are cheap already. */
    private readonly minLength = 64 * 1024,
  ) {}

  take(length: number): Buffer {
    if (length < this.minLength) return Buffer.allocUnsafe(length);
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.pooledBytes -= length;
      return reused;
    }
    return Buffer.allocUnsafeSlow(length);
  }

  /** Returns buffers taken from the pool; anything else (a slice, a short read) is left to the collector. */
  giveBack(buffers: readonly Buffer[]): void {
    for (const b of buffers) {
      if (b.length < this.minLength || b.byteOffset !== 0 || b.buffer.byteLength !== b.length || this.pooledBytes + b.length > this.maxBytes) continue;
      let list = this.free.get(b.length);
      if (!list) this.free.set(b.length, (list = []));
      list.push(b);
      this.pooledBytes += b.length;
    }
  }
}
