/** The decoding thread (`pool.ts`): one frame per message, the pixels sent back without a copy. */
import { parentPort } from 'node:worker_threads';
import type { PixelLayout } from '../dicom/pixel-layout.js';
import { CodecError } from './error.js';
import { decodeFrame } from './index.js';

export interface DecodeRequest {
  id: number;
  transferSyntax: string;
  data: Uint8Array;
  layout: PixelLayout;
}

export type DecodeReply = { id: number; pixels: Uint8Array; photometric: string } | { id: number; error: string; codec: boolean };

const port = parentPort;
port?.on('message', (request: DecodeRequest) => {
  decodeFrame(request.transferSyntax, Buffer.from(request.data.buffer, request.data.byteOffset, request.data.byteLength), request.layout).then(
    ({ pixels, photometric }) => {
      // Only a buffer that is its whole ArrayBuffer can be handed over; small ones may share Node's pool.
      const own = pixels.byteOffset === 0 && pixels.buffer.byteLength === pixels.length ? pixels : Uint8Array.from(pixels);
      port.postMessage({ id: request.id, pixels: own, photometric } satisfies DecodeReply, [own.buffer as ArrayBuffer]);
    },
    (error: unknown) => port.postMessage({ id: request.id, error: String((error as Error)?.message ?? error), codec: error instanceof CodecError } satisfies DecodeReply),
  );
});
