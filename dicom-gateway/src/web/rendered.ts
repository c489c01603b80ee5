import type { Request, Response } from 'express';
import { fit, render, renderParams, RenderError, type Window } from '../dicom/render.js';
import type { InstanceRecord } from '../store/store.js';
import { notFound, pathUid, type DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';
import { encodeJpeg, encodePng } from './image-encode.js';
import { parseAccept } from './multipart.js';
import { frameCount, notAcceptable, oneInstance, parseFrameList, readFrame } from './instance-io.js';
import { decoded, instanceJson } from './decode.js';
import { decodable } from '../codec/index.js';

const THUMBNAIL = 128;

/**
 * Rendered and thumbnail resources (PS3.18 §10.4.1.1.3, §10.4.1.1.4): a native frame windowed to 8 bits,
 * as JPEG (the default) or PNG. Compressed frames are decoded first (`codec/`); a syntax without a decoder is a 406.
 */
export async function rendered(req: Request, res: Response, options: DicomwebOptions, kind: 'rendered' | 'thumbnail'): Promise<void> {
  const instance = await instanceFor(req, options);
  const frame = req.params.frames !== undefined && instance.frames ? (parseFrameList(String(req.params.frames), frameCount(instance.frames))[0] as number) : 1;
  const q = new URL(req.originalUrl, 'http://x').searchParams;
  const window = parseWindow(q.get('window'));
  const media = chooseMedia(req.get('accept'));
  const image = await renderFrame(options, instance, frame, window);
  const [maxW, maxH] = kind === 'thumbnail' ? [THUMBNAIL, THUMBNAIL] : parseViewport(q.get('viewport'), image.width, image.height);
  const out = fit(image, maxW, maxH);
  const quality = Number(q.get('quality') ?? 90);
  res.setHeader('Content-Type', media);
  res.end(media === 'image/png' ? encodePng(out) : encodeJpeg(out, Number.isFinite(quality) ? Math.min(100, Math.max(1, quality)) : 90));
}

/** Series and study thumbnails show their first instance. */
async function instanceFor(req: Request, options: DicomwebOptions): Promise<InstanceRecord> {
  if (req.params.instance !== undefined) return oneInstance(req, options);
  const scope = { study: pathUid(req, 'study'), ...(req.params.series !== undefined ? { series: pathUid(req, 'series') } : {}) };
  const instances = await options.store.instances(scope);
  const first = instances.find((i) => i.frames) ?? instances[0];
  if (!first) throw notFound(scope.series ? { zh: `序列 ${scope.series}`, en: `series ${scope.series}` } : { zh: `检查 ${scope.study}`, en: `study ${scope.study}` });
  return first;
}

export async function renderFrame(options: DicomwebOptions, instance: InstanceRecord, frame: number, window: Window | undefined) {
  const cannot = (why: string) => notAcceptable({ zh: `实例 ${instance.sopInstanceUID} 的渲染图像（${why}）`, en: `a rendering of instance ${instance.sopInstanceUID} (${why})` });
  const index = instance.frames;
  if (!index) throw cannot('no pixel data');
  if (index.kind !== 'native' && !decodable(instance.transferSyntax)) throw cannot(`stored as ${instance.transferSyntax}, which has no decoder here`);
  const params = renderParams(await instanceJson(options, instance), window);
  const data = await readFrame(options, instance, index, frame);
  const pixels = index.kind === 'native' ? { pixels: data, photometric: params.photometric } : await decoded(instance, data, params);
  try {
    return render(pixels.pixels, { ...params, photometric: pixels.photometric });
  } catch (error) {
    if (error instanceof RenderError) throw cannot(error.message);
    throw error;
  }
}

export function chooseMedia(accept: string | undefined): 'image/jpeg' | 'image/png' {
  for (const m of parseAccept(accept)) {
    if (m.type === 'image/png') return 'image/png';
    if (m.type === 'image/jpeg' || m.type === 'image/*' || m.type === '*/*') return 'image/jpeg';
  }
  throw new DicomwebError(406, 'DICOMWEB-ACCEPT', { zh: '渲染图像只提供 image/jpeg 和 image/png', en: 'rendered images are available as image/jpeg and image/png only' });
}

export function parseWindow(value: string | null): Window | undefined {
  if (value === null) return undefined;
  const [c, w, fn] = value.split(',');
  const center = Number(c);
  const width = Number(w);
  const fnName = (fn ?? 'linear').toUpperCase().replace('-', '_');
  if (!Number.isFinite(center) || !Number.isFinite(width) || width < 1 || !['LINEAR', 'LINEAR_EXACT', 'SIGMOID'].includes(fnName)) {
    throw new DicomwebError(400, 'DICOMWEB-RENDER', { zh: `window="${value.slice(0, 60)}" 无效：应为 窗位,窗宽[,linear|linear-exact|sigmoid]，窗宽 ≥ 1`, en: `window="${value.slice(0, 60)}" is not valid: center,width[,linear|linear-exact|sigmoid] with width ≥ 1 is expected` }, { expression: 'window' });
  }
  return { center, width, fn: fnName as Window['fn'] };
}

function parseViewport(value: string | null, width: number, height: number): [number, number] {
  if (value === null) return [width, height];
  const m = /^(\d{1,5}),(\d{1,5})$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new DicomwebError(400, 'DICOMWEB-RENDER', { zh: `viewport="${value.slice(0, 60)}" 无效：应为 宽,高`, en: `viewport="${value.slice(0, 60)}" is not valid: width,height is expected` }, { expression: 'viewport' });
  }
  return [Number(m[1]), Number(m[2])];
}
