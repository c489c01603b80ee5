import { DICOMWEB_BASE, TAG, groupSeries, num, nums, str, type DicomJson } from '../dicomweb.js';
import { authFetch } from '../fhir-api.js';

/**
 * The study's first image, drawn while the viewer's code (Cornerstone3D, several MB) is still
 * loading: uncompressed greyscale frames only, with the image's own window (or its full range),
 * fitted to the page like the viewport will be. Cornerstone's viewport replaces it; anything this
 * cannot draw (compressed, colour, an error) simply leaves the loading message.
 */
export async function showPreview(root: HTMLElement, metadata: Promise<DicomJson[]>): Promise<void> {
  const instance = groupSeries(await metadata, window.location.origin)[0]?.instances[0];
  if (!instance || (num(instance, TAG.samplesPerPixel) ?? 1) !== 1) return;
  const rows = num(instance, TAG.rows);
  const columns = num(instance, TAG.columns);
  const bits = num(instance, TAG.bitsAllocated);
  if (!rows || !columns || (bits !== 8 && bits !== 16)) return;
  const pixels = await firstFrame(instance);
  if (!pixels || pixels.byteLength < rows * columns * (bits / 8)) return;
  const stored = bits === 8 ? new Uint8Array(pixels, 0, rows * columns) : num(instance, TAG.pixelRepresentation) === 1 ? new Int16Array(pixels, 0, rows * columns) : new Uint16Array(pixels, 0, rows * columns);
  if (root.dataset.view !== 'loading') return; // the viewer got there first
  const canvas = document.createElement('canvas');
  canvas.className = 'preview';
  canvas.width = columns;
  canvas.height = rows;
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(columns, rows);
  paint(image.data, stored, instance);
  context.putImageData(image, 0, 0);
  root.replaceChildren(canvas);
  markFirstImage();
}

/** `first-image` is recorded once, by whichever draws the study's first pixels. */
export function markFirstImage(): void {
  if (performance.getEntriesByName('first-image').length === 0) performance.mark('first-image');
}

async function firstFrame(instance: DicomJson): Promise<ArrayBuffer | undefined> {
  const url = `${DICOMWEB_BASE}/studies/${str(instance, TAG.studyUid)}/series/${str(instance, TAG.seriesUid)}/instances/${str(instance, TAG.sopUid)}/frames/1`;
  const reply = await authFetch(url, { headers: { Accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.1' } });
  if (!reply.ok) return undefined;
  return firstPart(new Uint8Array(await reply.arrayBuffer()), reply.headers.get('content-type') ?? '');
}

/** The body of the first part of a multipart/related reply. */
function firstPart(body: Uint8Array, contentType: string): ArrayBuffer | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const text = new TextDecoder('latin1');
  const head = text.decode(body.subarray(0, Math.min(body.length, 2048)));
  const headersEnd = head.indexOf('\r\n\r\n', head.indexOf(`--${boundary}`));
  if (headersEnd < 0) return undefined;
  const start = headersEnd + 4;
  const tail = text.decode(body.subarray(Math.max(start, body.length - 256)));
  const end = tail.lastIndexOf(`\r\n--${boundary}`);
  if (end < 0) return undefined;
  const stop = Math.max(start, body.length - 256) + end;
  return body.slice(start, stop).buffer;
}

/** Modality rescale, then the first window of the image (or the full range), linear, MONOCHROME1 inverted. */
function paint(out: Uint8ClampedArray, stored: ArrayLike<number>, instance: DicomJson): void {
  const slope = num(instance, TAG.rescaleSlope) ?? 1;
  const intercept = num(instance, TAG.rescaleIntercept) ?? 0;
  let low: number;
  let high: number;
  const center = nums(instance, TAG.windowCenter)[0];
  const width = nums(instance, TAG.windowWidth)[0];
  if (center !== undefined && width !== undefined && width > 0) {
    low = center - width / 2;
    high = center + width / 2;
  } else {
    low = Infinity;
    high = -Infinity;
    for (let i = 0; i < stored.length; i++) {
      const v = (stored[i] as number) * slope + intercept;
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  const scale = 255 / Math.max(1e-6, high - low);
  const invert = str(instance, TAG.photometric) === 'MONOCHROME1';
  for (let i = 0, o = 0; i < stored.length; i++, o += 4) {
    let g = ((stored[i] as number) * slope + intercept - low) * scale;
    if (invert) g = 255 - g;
    out[o] = out[o + 1] = out[o + 2] = g;
    out[o + 3] = 255;
  }
}
