import { Decoder } from '@cornerstonejs/jpeg-lossless-decoder-js';
import { CodecError } from './error.js';
import type { FrameInfo } from './wasm.js';

/** JPEG Lossless, processes 14 and 14 SV1 (a pure JavaScript decoder: libjpeg-turbo's 8-bit build has no lossless mode). */
export function decodeJpegLossless(data: Buffer, bitsAllocated: number): { info: FrameInfo; samples: Buffer } {
  const decoder = new Decoder();
  let out: Uint8Array | Uint16Array;
  try {
    // The decoder reads from an ArrayBuffer by offset: no copy of the codestream.
    out = decoder.decode(data.buffer as ArrayBuffer, data.byteOffset, data.length, bitsAllocated > 8 ? 2 : 1);
  } catch (error) {
    throw new CodecError(`JPEG Lossless decoder refused the frame: ${String((error as Error)?.message ?? error)}`);
  }
  const precision = decoder.precision ?? (bitsAllocated > 8 ? 16 : 8);
  return {
    info: { width: decoder.xDim, height: decoder.yDim, componentCount: decoder.numComp, bitsPerSample: precision },
    samples: Buffer.from(out.buffer, out.byteOffset, out.byteLength),
  };
}
