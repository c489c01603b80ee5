import type { Request, Response } from 'express';
import { fit, render, renderParams, RenderError, type Window } from '../dicom/render.js';
import type { InstanceRecord } from '../store/store.js';
import { notFound, pathUid, type DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';
import { encodeJpeg, encodePng } from './image-encode.js';
import { CRLF, newBoundary, parseAccept } from './multipart.js';
import { drained } from './drain.js';
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
  const asked = renderQuery(req);
  const media = chooseMedia(req.get('accept'));
  const image = await renderedImage(options, instance, frame, asked, media, kind);
  res.setHeader('Content-Type', media);
  res.end(image);
}

/**
 * A rendered study or series (PS3.18 §10.4.1.1.3): every instance with pixel data rendered as the
 * instance resource renders it (its first frame), one part each, in series and instance order.
 * The first is rendered before the reply begins, so that what cannot be rendered is still a 406.
 */
export async function renderedScope(req: Request, res: Response, options: DicomwebOptions): Promise<void> {
  const scope = { study: pathUid(req, 'study'), ...(req.params.series !== undefined ? { series: pathUid(req, 'series') } : {}) };
  const all = await options.store.instances(scope);
  if (all.length === 0) throw notFound(scope.series ? { zh: `序列 ${scope.series}`, en: `series ${scope.series}` } : { zh: `检查 ${scope.study}`, en: `study ${scope.study}` });
  const images = all.filter((i) => i.frames);
  if (images.length === 0) throw notAcceptable({ zh: `${scope.series ? '序列' : '检查'}的渲染图像（没有带像素数据的实例）`, en: `a rendering of the ${scope.series ? 'series' : 'study'} (no instance has pixel data)` });
  const asked = renderQuery(req);
  const media = chooseMedia(req.get('accept'));
  const boundary = newBoundary();
  let image: Buffer | undefined = await renderedImage(options, images[0] as InstanceRecord, 1, asked, media, 'rendered');
  res.status(200).setHeader('Content-Type', `multipart/related; type="${media}"; boundary=${boundary}`);
  for (const instance of images) {
    if (res.destroyed) return;
    // Later failures (corrupt data) break the reply off: its headers are out.
    const body: Buffer = image ?? (await renderedImage(options, instance, 1, asked, media, 'rendered'));
    image = undefined;
    res.write(`--${boundary}\r\nContent-Type: ${media}\r\nContent-Location: ${req.baseUrl}/studies/${instance.studyInstanceUID}/series/${instance.seriesInstanceUID}/instances/${instance.sopInstanceUID}/rendered\r\nContent-Length: ${body.length}\r\n\r\n`);
    if (!res.write(body)) await drained(res);
    res.write(CRLF);
  }
  res.end(`--${boundary}--\r\n`);
}

interface RenderQuery {
  window: Window | undefined;
  viewport: string | null;
  quality: number;
}

/** The rendering parameters, a bad window refused (400) before anything is read. */
function renderQuery(req: Request): RenderQuery {
  const q = new URL(req.originalUrl, 'http://x').searchParams;
  const quality = Number(q.get('quality') ?? 90);
  return { window: parseWindow(q.get('window')), viewport: q.get('viewport'), quality: Number.isFinite(quality) ? Math.min(100, Math.max(1, quality)) : 90 };
}

/** One frame rendered with the request's window, viewport and quality, encoded as `media`. */
async function renderedImage(options: DicomwebOptions, instance: InstanceRecord, frame: number, asked: RenderQuery, media: RenderedMedia, kind: 'rendered' | 'thumbnail'): Promise<Buffer> {
  const image = await renderFrame(options, instance, frame, asked.window);
  const [maxW, maxH] = kind === 'thumbnail' ? [THUMBNAIL, THUMBNAIL] : parseViewport(asked.viewport, image.width, image.height);
  const out = fit(image, maxW, maxH);
  return media === 'image/png' ? encodePng(out) : encodeJpeg(out, asked.quality);
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

type RenderedMedia = 'image/jpeg' | 'image/png';

/** The image type asked for, also as the parts of `multipart/related` (how a rendered study or series is asked for). */
export function chooseMedia(accept: string | undefined): RenderedMedia {
  for (const m of parseAccept(accept)) {
    const type = m.type === 'multipart/related' ? (m.params.type ?? '*/*').toLowerCase() : m.type;
    if (type === 'image/png') return 'image/png';
    if (type === 'image/jpeg' || type === 'image/*' || type === '*/*') return 'image/jpeg';
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
