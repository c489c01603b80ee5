import { firstNumber, firstString, type DicomJson } from './json.js';
import { pixelLayout, type PixelLayout } from './pixel-layout.js';

/** How to turn stored pixel values into display values (PS3.3 C.7.6.3, C.11.1, C.11.2). */
export interface RenderParams extends PixelLayout {
  slope: number;
  intercept: number;
  window?: Window;
}

export interface Window {
  center: number;
  width: number;
  fn: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
}

/** An 8-bit image: grey (1 channel) or RGB (3), rows top to bottom. */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export class RenderError extends Error {}

export function renderParams(json: DicomJson, window: Window | undefined): RenderParams {
  const fileWindow = firstNumber(json, '00281050') !== undefined && firstNumber(json, '00281051') !== undefined
    ? { center: firstNumber(json, '00281050') as number, width: firstNumber(json, '00281051') as number, fn: (firstString(json, '00281056') as Window['fn'] | undefined) ?? 'LINEAR' }
    : undefined;
  return {
    ...pixelLayout(json),
    slope: firstNumber(json, '00281053') ?? 1,
    intercept: firstNumber(json, '00281052') ?? 0,
    ...((window ?? fileWindow) ? { window: window ?? fileWindow } : {}),
  };
}

/** One native frame to an 8-bit raster: rescale, VOI window (or the frame's range), MONOCHROME1 inverted. */
export function render(frame: Buffer, p: RenderParams): Raster {
  const pixels = p.rows * p.columns;
  if (pixels === 0) throw new RenderError('no image size');
  if (p.photometric === 'RGB' && p.samplesPerPixel === 3 && p.bitsAllocated === 8) {
    if (frame.length < pixels * 3) throw new RenderError('frame shorter than its size');
    const data = new Uint8Array(pixels * 3);
    for (let i = 0; i < pixels; i++) {
      for (let c = 0; c < 3; c++) data[i * 3 + c] = frame[p.planar ? c * pixels + i : i * 3 + c] ?? 0;
    }
    return { width: p.columns, height: p.rows, channels: 3, data };
  }
  if (p.samplesPerPixel !== 1 || !p.photometric.startsWith('MONOCHROME') || (p.bitsAllocated !== 8 && p.bitsAllocated !== 16)) {
    throw new RenderError(`cannot render ${p.photometric} with ${p.samplesPerPixel} samples of ${p.bitsAllocated} bits`);
  }
  const bytes = p.bitsAllocated / 8;
  if (frame.length < pixels * bytes) throw new RenderError('frame shorter than its size');
  const values = new Float64Array(pixels);
  const mask = p.bitsStored >= 32 ? 0xffffffff : (1 << p.bitsStored) - 1;
  const signBit = 1 << (p.bitsStored - 1);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels; i++) {
    let v = (bytes === 2 ? frame.readUInt16LE(i * 2) : (frame[i] as number)) & mask;
    if (p.signed && v & signBit) v -= mask + 1;
    const m = v * p.slope + p.intercept;
    values[i] = m;
    if (m < min) min = m;
    if (m > max) max = m;
  }
  const window = p.window ?? { center: (min + max) / 2, width: Math.max(1, max - min), fn: 'LINEAR_EXACT' as const };
  const invert = p.photometric === 'MONOCHROME1';
  const data = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const y = voi(values[i] as number, window);
    data[i] = invert ? 255 - y : y;
  }
  return { width: p.columns, height: p.rows, channels: 1, data };
}

function voi(x: number, w: Window): number {
  const { center: c, width } = w;
  if (w.fn === 'SIGMOID') return Math.round(255 / (1 + Math.exp((-4 * (x - c)) / width)));
  if (w.fn === 'LINEAR_EXACT') {
    if (x <= c - width / 2) return 0;
    if (x > c + width / 2) return 255;
    return Math.round(((x - c) / width + 0.5) * 255);
  }
  if (x <= c - 0.5 - (width - 1) / 2) return 0;
  if (x > c - 0.5 + (width - 1) / 2) return 255;
  return Math.round(((x - (c - 0.5)) / Math.max(1, width - 1) + 0.5) * 255);
}

/** Nearest-neighbour scaling to fit within `maxWidth` × `maxHeight`, aspect kept (thumbnails and viewport). */
export function fit(r: Raster, maxWidth: number, maxHeight: number): Raster {
  const scale = Math.min(maxWidth / r.width, maxHeight / r.height);
  if (scale >= 1 && maxWidth >= r.width && maxHeight >= r.height) return r;
  const width = Math.max(1, Math.round(r.width * scale));
  const height = Math.max(1, Math.round(r.height * scale));
  const data = new Uint8Array(width * height * r.channels);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(r.height - 1, Math.floor(y / scale));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(r.width - 1, Math.floor(x / scale));
      for (let c = 0; c < r.channels; c++) data[(y * width + x) * r.channels + c] = r.data[(sy * r.width + sx) * r.channels + c] ?? 0;
    }
  }
  return { width, height, channels: r.channels, data };
}
