import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PixelLayout } from '../dicom/pixel-layout.js';
import { CodecError } from './error.js';
import { decodeFrame, type DecodedFrame } from './index.js';
import type { DecodeReply, DecodeRequest } from './worker.js';

const WORKER = new URL('./worker.js', import.meta.url);

interface Pending {
  resolve: (frame: DecodedFrame) => void;
  reject: (error: Error) => void;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

/**
 * Decodes on a thread of its own: a JPEG 2000 radiograph takes 90 ms, a study's frames seconds, and
 * the server's event loop must go on answering everyone else meanwhile. Frames queue on the one
 * thread (two cores: one for requests, one for decoding). Where the compiled worker is not there
 * (tests run from the TypeScript sources) frames are decoded in the calling thread.
 */
export function decodeFrameOffThread(transferSyntax: string, data: Buffer, layout: PixelLayout): Promise<DecodedFrame> {
  const thread = worker ?? start();
  if (!thread) return decodeFrame(transferSyntax, data, layout);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // While frames are out the thread holds the process open (a command waiting on a C-MOVE); idle, it does not.
    if (pending.size === 1) thread.ref();
    thread.postMessage({ id, transferSyntax, data, layout } satisfies DecodeRequest);
  });
}

function start(): Worker | undefined {
  if (!existsSync(fileURLToPath(WORKER))) return undefined;
  const thread = new Worker(WORKER);
  thread.unref();
  thread.on('message', (reply: DecodeReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) thread.unref();
    if (!waiting) return;
    if ('error' in reply) waiting.reject(reply.codec ? new CodecError(reply.error) : new Error(reply.error));
    else waiting.resolve({ pixels: Buffer.from(reply.pixels.buffer, reply.pixels.byteOffset, reply.pixels.byteLength), photometric: reply.photometric });
  });
  const lost = (error: Error) => {
    if (worker === thread) worker = undefined;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  thread.on('error', lost);
  thread.on('exit', (code) => lost(new Error(`the decoding thread exited (${code})`)));
  worker = thread;
  return thread;
}
