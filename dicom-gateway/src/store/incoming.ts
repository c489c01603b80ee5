import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { HEAD_BYTES } from '../dicom/parse.js';

export class TooLarge extends Error {}

/** An instance as received: all of it in a temp file, hashed, its first bytes kept for the header parse. */
export interface Received {
  size: number;
  sha256: string;
  head: Buffer;
  temp: string;
  /** Set once the file is in place under its key (the temp path is then gone). */
  placed: boolean;
}

/**
 * One instance arriving chunk by chunk. Each chunk is hashed and written to the temp file
 * synchronously as it comes, while the sender is still sending the rest: a modality waits for each
 * C-STORE response before it sends the next instance, so work left for after the last byte (one
 * large write, or a thread-pool hand-off per call) is time it feels. `write` never waits; the chunks
 * that arrive before the temp path is known (a moment after the first) are held until it is.
 */
export class Incoming {
  private size = 0;
  private readonly hash = createHash('sha256');
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private held: Buffer[] = [];
  private fd: number | undefined;
  private temp: string | undefined;
  private readonly ready: Promise<string>;

  constructor(
    tempPath: Promise<string>,
    private readonly maxBytes: number,
  ) {
    this.ready = tempPath.then((temp) => (this.temp = temp));
    // Awaited in `finish`; a failure there is the store's error, not an unhandled rejection here.
    this.ready.catch(() => undefined);
  }

  /** The temp path once known (to remove it when the instance is not kept). */
  get path(): string | undefined {
    return this.temp;
  }

  write(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw new TooLarge();
    this.hash.update(chunk);
    if (this.headBytes < HEAD_BYTES) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
    }
    if (this.fd === undefined) {
      if (this.temp === undefined) {
        this.held.push(chunk);
        return;
      }
      this.open(this.temp);
    }
    writeAll(this.fd as number, chunk);
  }

  private open(temp: string): void {
    this.fd = openSync(temp, 'wx');
    for (const chunk of this.held) writeAll(this.fd, chunk);
    this.held = [];
  }

  /** Everything has arrived: the instance as received (nothing at all: undefined). */
  async finish(): Promise<Received | undefined> {
    if (this.size === 0) return undefined;
    const temp = await this.ready;
    if (this.fd === undefined) this.open(temp);
    this.abandon();
    return { size: this.size, sha256: this.hash.digest('hex'), head: this.head.length === 1 ? (this.head[0] as Buffer) : Buffer.concat(this.head), temp, placed: false };
  }

  /** Closes the temp file (the caller removes it when the instance is not kept). */
  abandon(): void {
    this.held = [];
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function writeAll(fd: number, chunk: Buffer): void {
  for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
}
