import { fit, render, type RenderParams } from '../src/dicom/render.js';
import { TextCache } from '../src/store/text-cache.js';

const grey: RenderParams = { rows: 1, columns: 4, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, signed: true, photometric: 'MONOCHROME2', planar: false, slope: 1, intercept: -1024, window: { center: 40, width: 400, fn: 'LINEAR' } };

function frame16(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16LE(v & 0xffff, i * 2));
  return b;
}

describe('render', () => {
  it('applies rescale and a linear VOI window (PS3.3 C.11.2.1.2)', () => {
    // Stored 12-bit signed: -1 is 0xFFF. HU = stored − 1024; window 40/400 spans −160…240 HU.
    const out = render(frame16([0, 1024 - 160, 1024 + 40, 0xfff]), grey);
    expect([...out.data]).toEqual([0, 0, 128, 0]);
    expect(render(frame16([1024 + 240]), { ...grey, columns: 1 }).data[0]).toBe(255);
  });

  it('inverts MONOCHROME1 and falls back to the frame range without a window', () => {
    const out = render(frame16([10, 20]), { ...grey, columns: 2, signed: false, intercept: 0, photometric: 'MONOCHROME1', window: undefined } as RenderParams);
    expect([...out.data]).toEqual([255, 0]);
  });

  it('scales down to a box, keeping the aspect ratio', () => {
    const r = fit({ width: 4, height: 2, channels: 1, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }, 2, 2);
    expect(r).toMatchObject({ width: 2, height: 1 });
    expect([...r.data]).toEqual([1, 3]);
  });
});

describe('TextCache', () => {
  it('drops the least recently used past its byte budget', () => {
    const cache = new TextCache(40);
    cache.set('a', 1, 'x'.repeat(8));
    cache.set('b', 1, 'y'.repeat(8));
    cache.get('a');
    cache.set('c', 1, 'z'.repeat(8));
    expect([cache.get('a')?.count, cache.get('b'), cache.get('c')?.count]).toEqual([1, undefined, 1]);
  });
});
