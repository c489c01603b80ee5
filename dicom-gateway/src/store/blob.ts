import { closeSync, createReadStream, openSync, readSync, renameSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where instance files live. Keys are built by the store from validated UIDs only. The filesystem
 * implementation is the default; `S3BlobStore` (s3-blob.ts) puts them in S3-compatible storage
 * (`put` uploads the finished temp file, `read` is a ranged GET, `stream` a GET).
 */
export interface BlobStore {
  /** A fresh local path for an incoming file (same filesystem as the store, so `put` is a rename). */
  incomingPath(name: string): Promise<string>;
  put(key: string, localPath: string): Promise<void>;
  /** `length` bytes at `offset`, into `into` when given (at least `length` long). */
  read(key: string, offset: number, length: number, into?: Buffer): Promise<Buffer>;
  stream(key: string, start?: number, endInclusive?: number): Readable;
  remove(key: string): Promise<void>;
}

/** Where incoming files are staged: the folder is made once, not once per instance (a failed attempt is retried by the next one). */
export class IncomingDir {
  private made: Promise<unknown> | undefined;

  constructor(private readonly dir: string) {}

  async path(name: string): Promise<string> {
    this.made ??= mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      this.made = undefined;
      throw error;
    });
    await this.made;
    return path.join(this.dir, name);
  }
}

/** Ranges up to this size are read synchronously (see `read`). */
const SYNC_READ_BYTES = 1024 * 1024;

export class FileBlobStore implements BlobStore {
  private readonly incoming: IncomingDir;
  private readonly made = new Set<string>();

  constructor(private readonly root: string) {
    this.incoming = new IncomingDir(path.join(root, '.incoming'));
  }

  private pathOf(key: string): string {
    const full = path.resolve(this.root, key);
    // Keys come from validated UIDs; this is the second lock on the door.
    if (!full.startsWith(this.root + path.sep) || key.includes('..')) throw new Error(`storage key outside the store: ${key}`);
    return full;
  }

  incomingPath(name: string): Promise<string> {
    return this.incoming.path(name);
  }

  /** A series' directory is made once, not once per instance. */
  private async directoryOf(target: string): Promise<string> {
    const dir = path.dirname(target);
    if (!this.made.has(dir)) {
      await mkdir(dir, { recursive: true });
      if (this.made.size > 10_000) this.made.clear();
      this.made.add(dir);
    }
    return dir;
  }

  /** A rename within one file system: a metadata change, done synchronously (no thread-pool hand-off). */
  async put(key: string, localPath: string): Promise<void> {
    const target = this.pathOf(key);
    const dir = await this.directoryOf(target);
    try {
      renameSync(localPath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // The folder was removed behind the cache's back: make it again.
      this.made.delete(dir);
      await this.directoryOf(target);
      renameSync(localPath, target);
    }
  }

  /**
   * A range of up to 1 MiB (a frame, a slice's pixel data) is read synchronously: from the page cache that is one copy, where the asynchronous open, read and close are three
   * thread-pool hand-offs a viewer scrolling a series waits for, frame after frame.
   */
  async read(key: string, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    if (length <= SYNC_READ_BYTES) {
      const fd = openSync(this.pathOf(key), 'r');
      try {
        const buffer = into ?? Buffer.allocUnsafe(length);
        const bytesRead = readSync(fd, buffer, 0, length, offset);
        return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
      } finally {
        closeSync(fd);
      }
    }
    const handle = await open(this.pathOf(key), 'r');
    try {
      const buffer = into ?? Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  stream(key: string, start?: number, endInclusive?: number): Readable {
    return createReadStream(this.pathOf(key), { start, end: endInclusive, highWaterMark: 256 * 1024 });
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
