import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import type { Raster } from '../dicom/render.js';

/** PNG (RFC 2083), 8-bit grey or RGB, no filtering: small enough to write here rather than depend on. */
export function encodePng(r: Raster): Buffer {
  const rowBytes = r.width * r.channels;
  const raw = Buffer.alloc((rowBytes + 1) * r.height);
  for (let y = 0; y < r.height; y++) raw.set(r.data.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(r.width, 0);
  header.writeUInt32BE(r.height, 4);
  header[8] = 8;
  header[9] = r.channels === 3 ? 2 : 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Baseline JPEG through jpeg-js, which takes RGBA. */
export function encodeJpeg(r: Raster, quality: number): Buffer {
  const rgba = Buffer.alloc(r.width * r.height * 4);
  for (let i = 0; i < r.width * r.height; i++) {
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = r.data[r.channels === 3 ? i * 3 + c : i] ?? 0;
    rgba[i * 4 + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: r.width, height: r.height }, quality).data;
}
