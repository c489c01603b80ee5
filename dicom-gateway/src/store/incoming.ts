import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { HEAD_BYTES } from '../dicom/parse.js';
import { dataSetStart } from '../dicom/part10-meta.js';

export class TooLarge extends Error {}

/** Data Set Trailing Padding is a few hundred bytes, rarely kilobytes: the data set's last 64 KiB are hashed last. */
const TRAILING_HELD = 64 * 1024;

/** An instance as received: all of it in a temp file, hashed, its first bytes kept for the header parse. */
export interface Received {
  size: number;
  /**
   * `dataSet`: SHA-256 of the data set up to `contentEnd` (where its Data Set Trailing Padding
   * begins, if it has any), which is what the instance is. The file meta and the padding are the
   * sender's packaging — C-STORE's file meta is built here with the calling AE title in it, and DCMTK
   * leaves padding out when it sends — so the same instance comes in files that differ there.
   * `file`: SHA-256 of the file meta followed by the whole data set's SHA-256, one file's bytes
   * without hashing them twice.
   */
  hashes(contentEnd: number): { dataSet: string; file: string };
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
  /** Where the data set begins, once the head shows it; the bytes before it are not hashed. */
  private dataSetStart: number | undefined;
  /** The data set's last bytes, not hashed yet: padding there is to be left out (`Received.hashes`). */
  private readonly unhashed: Buffer[] = [];
  private unhashedBytes = 0;
  private hashedTo = 0;
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
    if (this.headBytes < HEAD_BYTES) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
    }
    if (this.dataSetStart === undefined) this.locateDataSet(false);
    else this.hashLater(chunk);
    if (this.fd === undefined) {
      if (this.temp === undefined) {
        this.held.push(chunk);
        return;
      }
      this.open(this.temp);
    }
    writeAll(this.fd as number, chunk);
  }

  /**
   * Until the data set's start is known the bytes are only kept in the head; then the head's data-set
   * part is hashed, and every later chunk as it comes. A file meta not over by the head's end is no
   * Part 10 file meta: everything is hashed.
   */
  private locateDataSet(complete: boolean): void {
    const head = this.headBuffer();
    const start = dataSetStart(head, complete) ?? (this.headBytes >= HEAD_BYTES ? 0 : undefined);
    if (start === undefined) return;
    this.dataSetStart = start;
    this.hashedTo = start;
    this.hashLater(head.subarray(start));
  }

  private hashLater(bytes: Buffer): void {
    this.unhashed.push(bytes);
    this.unhashedBytes += bytes.length;
    for (let first = this.unhashed[0] as Buffer; this.unhashedBytes - first.length >= TRAILING_HELD; first = this.unhashed[0] as Buffer) {
      this.hash.update(first);
      this.hashedTo += first.length;
      this.unhashedBytes -= first.length;
      this.unhashed.shift();
    }
  }

  private headBuffer(): Buffer {
    if (this.head.length > 1) this.head.splice(0, this.head.length, Buffer.concat(this.head));
    return this.head[0] as Buffer;
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
    if (this.dataSetStart === undefined) this.locateDataSet(true);
    const head = this.headBuffer();
    const meta = head.subarray(0, this.dataSetStart);
    const hashes = (contentEnd: number) => {
      // Padding that began before the bytes still held (more than TRAILING_HELD of it) stays in.
      const content = this.hash.copy();
      const whole = this.hash.copy();
      const end = contentEnd >= this.hashedTo ? contentEnd : Infinity;
      let at = this.hashedTo;
      for (const bytes of this.unhashed) {
        whole.update(bytes);
        content.update(bytes.subarray(0, Math.max(0, end - at)));
        at += bytes.length;
      }
      const dataSet = whole.digest('hex');
      return { dataSet: content.digest('hex'), file: createHash('sha256').update(meta).update(dataSet).digest('hex') };
    };
    return { size: this.size, hashes, head, temp, placed: false };
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
