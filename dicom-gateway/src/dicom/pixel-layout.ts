import { firstNumber, firstString, type DicomJson } from './json.js';

/** How one frame's samples are laid out (PS3.3 C.7.6.3 Image Pixel module), as the instance's attributes say. */
export interface PixelLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  photometric: string;
  /** Planar Configuration 1: each colour plane whole, one after the other. */
  planar: boolean;
}

export function pixelLayout(json: DicomJson): PixelLayout {
  const bitsAllocated = firstNumber(json, '00280100') ?? 0;
  return {
    rows: firstNumber(json, '00280010') ?? 0,
    columns: firstNumber(json, '00280011') ?? 0,
    samplesPerPixel: firstNumber(json, '00280002') ?? 1,
    bitsAllocated,
    bitsStored: firstNumber(json, '00280101') ?? bitsAllocated,
    signed: firstNumber(json, '00280103') === 1,
    photometric: firstString(json, '00280004') ?? 'MONOCHROME2',
    planar: firstNumber(json, '00280006') === 1,
  };
}

/** Bytes of one native frame in this layout (8- and 16-bit samples only: what the decoders produce). */
export function nativeFrameBytes(layout: PixelLayout): number {
  return layout.rows * layout.columns * layout.samplesPerPixel * (layout.bitsAllocated / 8);
}
