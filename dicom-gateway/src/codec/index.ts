/**
 * Decoding of encapsulated frames into native pixel data, for clients that ask for frames
 * uncompressed and for rendered images: which decoder serves which transfer syntax is a table.
 */
import { CodecError } from './error.js';
import { decodeJpegLossless } from './jpeg-lossless.js';
import { nativeFrameBytes, type PixelLayout } from '../dicom/pixel-layout.js';
import { decodeRle } from './rle.js';
import { decodeWasm, type FrameInfo, type WasmCodec } from './wasm.js';

export { CodecError } from './error.js';
export { pixelLayout, type PixelLayout } from '../dicom/pixel-layout.js';

/** A frame as native little-endian samples in the instance's layout, and the colour model they are in now. */
export interface DecodedFrame {
  pixels: Buffer;
  /** Colour JPEG and JPEG 2000 decode to RGB (PS3.5 §8.2.1 lets a decompressed image change it); otherwise as stored. */
  photometric: string;
}

type Decoder = (data: Buffer, layout: PixelLayout) => Promise<DecodedFrame>;

/** A decoder whose output is interleaved samples described by `FrameInfo`, put into the layout. */
function interleaved(decode: (data: Buffer, layout: PixelLayout) => Promise<{ info: FrameInfo; samples: Buffer }> | { info: FrameInfo; samples: Buffer }, colourBecomesRgb: boolean): Decoder {
  return async (data, layout) => {
    const { info, samples } = await decode(data, layout);
    if (info.width !== layout.columns || info.height !== layout.rows || info.componentCount !== layout.samplesPerPixel) {
      throw new CodecError(`the codestream is ${info.width}×${info.height} with ${info.componentCount} components; the instance says ${layout.columns}×${layout.rows} with ${layout.samplesPerPixel}`);
    }
    return {
      pixels: toLayout(samples, info.bitsPerSample <= 8 ? 1 : 2, layout),
      photometric: colourBecomesRgb && layout.samplesPerPixel === 3 ? 'RGB' : layout.photometric,
    };
  };
}

const wasm = (codec: WasmCodec, colourBecomesRgb: boolean): Decoder => interleaved((data) => decodeWasm(codec, data), colourBecomesRgb);

const DECODERS: Record<string, Decoder> = {
  '1.2.840.10008.1.2.5': async (data, layout) => ({ pixels: decodeRle(data, checked(layout)), photometric: layout.photometric }),
  '1.2.840.10008.1.2.4.50': wasm('jpeg', true),
  '1.2.840.10008.1.2.4.51': wasm('jpeg', true),
  '1.2.840.10008.1.2.4.57': interleaved((data, layout) => decodeJpegLossless(data, layout.bitsAllocated), false),
  '1.2.840.10008.1.2.4.70': interleaved((data, layout) => decodeJpegLossless(data, layout.bitsAllocated), false),
  '1.2.840.10008.1.2.4.80': wasm('jpeg-ls', false),
  '1.2.840.10008.1.2.4.81': wasm('jpeg-ls', false),
  '1.2.840.10008.1.2.4.90': wasm('jpeg-2000', true),
  '1.2.840.10008.1.2.4.91': wasm('jpeg-2000', true),
};

/** Whether frames stored in this transfer syntax can be sent uncompressed and rendered. */
export function decodable(transferSyntax: string): boolean {
  return transferSyntax in DECODERS;
}

/** One encapsulated frame (its fragments joined) as native pixel data; CodecError when it cannot be. */
export async function decodeFrame(transferSyntax: string, data: Buffer, layout: PixelLayout): Promise<DecodedFrame> {
  const decoder = DECODERS[transferSyntax];
  if (!decoder) throw new CodecError(`no decoder for transfer syntax ${transferSyntax}`);
  return decoder(data, checked(layout));
}

/**
 * A decoded frame may be at most this large: 4.5 times a 4096×4096 RGB frame of 16-bit samples. An
 * instance that claims more (Rows and Columns of 65535 over a few bytes of RLE) is refused before
 * anything is allocated.
 */
const MAX_FRAME_BYTES = 512 * 1024 * 1024;

/** Decoded pixel data of a whole instance (bulk data, a decompressed file) is held in memory: at most this much. */
const MAX_INSTANCE_BYTES = 1024 * 1024 * 1024;

/** Refuses, before any decoding, to decode `frames` frames of this layout into one buffer beyond MAX_INSTANCE_BYTES. */
export function checkDecodedInstance(layout: PixelLayout, frames: number): void {
  const bytes = nativeFrameBytes(checked(layout)) * frames;
  if (bytes > MAX_INSTANCE_BYTES) throw new CodecError(`${frames} frames of ${layout.columns}×${layout.rows} pixels would take more than ${MAX_INSTANCE_BYTES / 1024 / 1024} MiB decoded`);
}

/** Only what native pixel data of 8 or 16 bits, grey or three samples, can hold, up to MAX_FRAME_BYTES. */
function checked(layout: PixelLayout): PixelLayout {
  if (layout.rows < 1 || layout.columns < 1 || ![8, 16].includes(layout.bitsAllocated) || ![1, 3].includes(layout.samplesPerPixel)) {
    throw new CodecError(`cannot decode frames of ${layout.columns}×${layout.rows} pixels with ${layout.samplesPerPixel} samples of ${layout.bitsAllocated} bits`);
  }
  if (nativeFrameBytes(layout) > MAX_FRAME_BYTES) throw new CodecError(`a frame of ${layout.columns}×${layout.rows} pixels would take more than ${MAX_FRAME_BYTES / 1024 / 1024} MiB decoded`);
  return layout;
}

/** Interleaved samples of `sampleBytes` each into the layout's sample size and planar configuration. */
function toLayout(samples: Buffer, sampleBytes: 1 | 2, layout: PixelLayout): Buffer {
  const bytes = layout.bitsAllocated / 8;
  const count = layout.rows * layout.columns * layout.samplesPerPixel;
  if (samples.length !== count * sampleBytes) throw new CodecError(`the decoder produced ${samples.length} bytes; ${count * sampleBytes} expected`);
  if (sampleBytes > bytes) throw new CodecError(`the codestream has more than ${layout.bitsAllocated} bits per sample`);
  const planar = layout.planar && layout.samplesPerPixel > 1;
  if (sampleBytes === bytes && !planar) return samples;
  const out = Buffer.alloc(nativeFrameBytes(layout));
  const pixels = layout.rows * layout.columns;
  const spp = layout.samplesPerPixel;
  for (let i = 0; i < count; i++) {
    const value = sampleBytes === 2 ? samples.readUInt16LE(i * 2) : (samples[i] as number);
    const at = planar ? ((i % spp) * pixels + Math.floor(i / spp)) * bytes : i * bytes;
    if (bytes === 2) out.writeUInt16LE(value, at);
    else out[at] = value;
  }
  return out;
}
