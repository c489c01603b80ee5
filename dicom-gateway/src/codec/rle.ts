import { CodecError } from './error.js';
import { nativeFrameBytes, type PixelLayout } from '../dicom/pixel-layout.js';

const HEADER_BYTES = 64;

/**
 * RLE Lossless (PS3.5 Annex G): one PackBits segment per byte plane — for each sample, its most
 * significant byte first — decoded into native little-endian samples, interleaved or by plane as the
 * layout's Planar Configuration says.
 */
export function decodeRle(data: Buffer, layout: PixelLayout): Buffer {
  const bytes = layout.bitsAllocated / 8;
  const pixels = layout.rows * layout.columns;
  const planes = layout.samplesPerPixel * bytes;
  if (data.length < HEADER_BYTES) throw new CodecError('RLE frame shorter than its header');
  const segments = data.readUInt32LE(0);
  if (segments !== planes) throw new CodecError(`RLE frame has ${segments} segments; ${planes} expected for ${layout.samplesPerPixel} samples of ${layout.bitsAllocated} bits`);
  const out = Buffer.alloc(nativeFrameBytes(layout));
  for (let segment = 0; segment < segments; segment++) {
    const start = data.readUInt32LE(4 + segment * 4);
    const end = segment + 1 < segments ? data.readUInt32LE(8 + segment * 4) : data.length;
    if (start < HEADER_BYTES || end > data.length || end < start) throw new CodecError(`RLE segment ${segment + 1} lies outside the frame`);
    const sample = Math.floor(segment / bytes);
    // Segments run from the most significant byte; little endian puts it last.
    const byteInSample = bytes - 1 - (segment % bytes);
    const first = layout.planar ? sample * pixels * bytes + byteInSample : sample * bytes + byteInSample;
    const step = layout.planar ? bytes : layout.samplesPerPixel * bytes;
    unpackBits(data, start, end, out, first, step, pixels);
  }
  return out;
}

/** PackBits into every `step`-th byte of `out` from `first`, at most `count` bytes (a segment may be padded). */
function unpackBits(data: Buffer, start: number, end: number, out: Buffer, first: number, step: number, count: number): void {
  let written = 0;
  let at = start;
  while (at < end && written < count) {
    const header = data.readInt8(at++);
    if (header >= 0) {
      const n = Math.min(header + 1, end - at, count - written);
      for (let i = 0; i < n; i++) out[first + (written + i) * step] = data[at + i] as number;
      written += n;
      at += header + 1;
    } else if (header !== -128) {
      if (at >= end) break;
      const value = data[at++] as number;
      const n = Math.min(1 - header, count - written);
      for (let i = 0; i < n; i++) out[first + (written + i) * step] = value;
      written += n;
    }
  }
  if (written < count) throw new CodecError(`RLE segment decodes to ${written} of ${count} bytes`);
}
