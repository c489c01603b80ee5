import type { Request, Response } from 'express';
import { withBase } from '../dicom/json.js';
import { EXPLICIT_LE, IMPLICIT_LE, frameMediaType } from '../dicom/transfer-syntax.js';
import type { FrameIndex } from '../dicom/parse.js';
import type { InstanceRecord } from '../store/store.js';
import { dicomwebBase, notFound, type DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';
import { drained } from './drain.js';
import type { FrameSource } from './frame-source.js';
import { encodeJpeg, encodePng } from './image-encode.js';
import { describe, frameCount, notAcceptable, oneInstance, parseFrameList, readFrame, scopeOf } from './instance-io.js';
import { CRLF, newBoundary, parseAccept, type MediaType } from './multipart.js';
import { parseWindow, renderFrame } from './rendered.js';
import { checkedInstance, decoded, decompressedInstance, instanceLayout } from './decode.js';
import { decodable } from '../codec/index.js';

/** The inner type and transfer syntax a multipart Accept alternative asks for. */
function wanted(m: MediaType): { inner: string; ts: string | undefined } | undefined {
  if (m.type === '*/*') return { inner: '*/*', ts: m.params['transfer-syntax'] };
  if (m.type !== 'multipart/related') return undefined;
  return { inner: (m.params.type ?? 'application/octet-stream').toLowerCase(), ts: m.params['transfer-syntax'] };
}

/**
 * WADO-RS retrieve of whole instances (PS3.18 §10.4): stored files as they are, streamed; or, when
 * explicit VR little endian is demanded, compressed instances decompressed (`decompressPart10`).
 */
export async function retrieve(req: Request, res: Response, options: DicomwebOptions): Promise<void> {
  const scope = scopeOf(req);
  const instances = await options.store.instances(scope);
  if (instances.length === 0) throw notFound(describe(scope));
  let decompress = false;
  const ok = parseAccept(req.get('accept')).some((m) => {
    const w = wanted(m);
    if (!w || (w.inner !== 'application/dicom' && w.inner !== '*/*')) return false;
    if (!w.ts || w.ts === '*' || instances.every((i) => i.transferSyntax === w.ts)) return true;
    decompress = w.ts === EXPLICIT_LE && instances.every((i) => i.transferSyntax === EXPLICIT_LE || (i.frames?.kind === 'encapsulated' && decodable(i.transferSyntax)));
    return decompress;
  });
  if (!ok) throw notAcceptable(describe(scope));
  const boundary = newBoundary();
  // The first instance to decompress is decompressed before the reply begins, so a syntax its decoder refuses is still a 406.
  const firstCompressed = decompress ? instances.find((i) => i.transferSyntax !== EXPLICIT_LE) : undefined;
  let first = firstCompressed ? await decompressedInstance(options, firstCompressed) : undefined;
  res.status(200).setHeader('Content-Type', `multipart/related; type="application/dicom"; boundary=${boundary}`);
  for (const instance of instances) {
    if (res.destroyed) return;
    if (decompress && instance.transferSyntax !== EXPLICIT_LE) {
      // Later failures (corrupt data) break the reply off: its headers are out.
      const body = instance === firstCompressed && first ? first : await decompressedInstance(options, instance);
      first = undefined;
      res.write(`--${boundary}\r\nContent-Type: application/dicom; transfer-syntax=${EXPLICIT_LE}\r\nContent-Length: ${body.length}\r\n\r\n`);
      if (!res.write(body)) await drained(res);
      res.write('\r\n');
      continue;
    }
    res.write(`--${boundary}\r\nContent-Type: application/dicom; transfer-syntax=${instance.transferSyntax}\r\nContent-Length: ${instance.size}\r\n\r\n`);
    await pipeInto(options.store.blobs.stream(instance.storageKey), res);
    res.write('\r\n');
  }
  res.end(`--${boundary}--\r\n`);
}

async function pipeInto(source: NodeJS.ReadableStream, res: Response): Promise<void> {
  for await (const chunk of source) {
    if (!res.write(chunk)) await drained(res);
    if (res.destroyed) return;
  }
}

/** The bytes last served per scope: the same stored text (the store reuses it) for the same base is not re-encoded. */
const served = new Map<string, { text: string; base: string; body: Buffer }>();
const SERVED_BYTES = 32 * 1024 * 1024;
let servedBytes = 0;

function servedMetadata(key: string, text: string, base: string): Buffer {
  const hit = served.get(key);
  if (hit && hit.base === base && hit.text === text) return hit.body;
  const body = Buffer.from(withBase(text, base));
  if (hit) servedBytes -= hit.body.length;
  served.delete(key);
  served.set(key, { text, base, body });
  servedBytes += body.length;
  for (const [k, e] of served) {
    if (servedBytes <= SERVED_BYTES) break;
    served.delete(k);
    servedBytes -= e.body.length;
  }
  return body;
}

/** What metadata can be sent as: DICOM JSON only — no DICOM XML (`multipart/related; type="application/dicom+xml"`). */
const METADATA_MEDIA = new Set(['application/dicom+json', 'application/json', 'application/*', '*/*']);

/** WADO-RS metadata: the DICOM JSON stored at ingest, spliced together without parsing. */
export async function metadata(req: Request, res: Response, options: DicomwebOptions): Promise<void> {
  const scope = scopeOf(req);
  const text = await options.store.metadataArray(scope);
  if (!text) throw notFound(describe(scope));
  if (!parseAccept(req.get('accept')).some((m) => METADATA_MEDIA.has(m.type))) {
    throw new DicomwebError(406, 'DICOMWEB-ACCEPT', { zh: '元数据只以 application/dicom+json 提供（不提供 DICOM XML 或其他媒体类型）', en: 'metadata is available as application/dicom+json only (not as DICOM XML or any other media type)' });
  }
  res.setHeader('Content-Type', 'application/dicom+json');
  res.end(servedMetadata(`${scope.study}/${scope.series ?? ''}/${scope.sop ?? ''}`, text, dicomwebBase(req, options)));
}

const OCTET = 'application/octet-stream';

/** How frames go out: as stored, or native little endian — a native instance's frames, or compressed ones decoded. */
interface FrameEncoding {
  media: string;
  ts: string;
  decode: boolean;
}

function frameEncoding(instance: InstanceRecord, frames: FrameIndex, accept: MediaType[]): FrameEncoding | undefined {
  const native = frames.kind === 'native';
  const stored = native ? { media: OCTET, ts: EXPLICIT_LE, decode: false } : { media: frameMediaType(instance.transferSyntax), ts: instance.transferSyntax, decode: false };
  const canDecode = !native && decodable(instance.transferSyntax);
  for (const m of accept) {
    const w = wanted(m);
    if (!w) continue;
    if (w.inner === '*/*' && (!w.ts || w.ts === '*' || w.ts === stored.ts)) return stored;
    // Octet-stream without a syntax means explicit VR little endian (PS3.18 Table 8.7.3-5); native pixels are the same in implicit VR.
    const uncompressed = (w.inner === OCTET || w.inner === '*/*') && (w.ts === undefined || w.ts === EXPLICIT_LE || w.ts === IMPLICIT_LE);
    // …so the part is labelled with the syntax asked for.
    const label = w.ts === IMPLICIT_LE ? IMPLICIT_LE : EXPLICIT_LE;
    if (native) {
      if (uncompressed) return { ...stored, ts: label };
      if (w.inner === OCTET && w.ts === '*') return stored;
      continue;
    }
    const typeFits = w.inner === stored.media || w.inner === `${stored.media.split('/')[0]}/*` || (w.inner === OCTET && w.ts !== undefined);
    if (typeFits && (w.ts === '*' || w.ts === stored.ts || (!w.ts && w.inner !== OCTET))) return stored;
    if (uncompressed && canDecode) return { media: OCTET, ts: label, decode: true };
  }
  return undefined;
}

/** WADO-RS frames: each frame located by the index made at ingest and read by byte range (or kept in memory, see FrameSource); decoded when asked for uncompressed. */
export async function frames(req: Request, res: Response, options: DicomwebOptions, source: FrameSource): Promise<void> {
  const instance = await oneInstance(req, options);
  const index = instance.frames;
  if (!index) throw new DicomwebError(404, 'DICOMWEB-FRAMES', { zh: `实例 ${instance.sopInstanceUID} 没有可按帧读取的像素数据`, en: `instance ${instance.sopInstanceUID} has no pixel data that can be read frame by frame` });
  const numbers = parseFrameList(String(req.params.frames ?? ""), frameCount(index));
  const encoding = frameEncoding(instance, index, parseAccept(req.get('accept')));
  if (!encoding) throw notAcceptable({ zh: `实例 ${instance.sopInstanceUID} 的帧（存储为 ${instance.transferSyntax}）`, en: `frames of instance ${instance.sopInstanceUID} (stored as ${instance.transferSyntax})` });
  if (encoding.decode) {
    sendParts(res, encoding, await decodedFrames(options, instance, index, numbers, source));
    return;
  }
  const data = await Promise.all(numbers.map((n) => source.frame(options, instance, index, n)));
  res.once('close', () => source.release(data));
  sendParts(res, encoding, data);
}

/** Frames `numbers` decoded, their size checked before any is read; through the frame cache when one is given. */
async function decodedFrames(options: DicomwebOptions, instance: InstanceRecord, index: FrameIndex, numbers: readonly number[], source?: FrameSource): Promise<Buffer[]> {
  const layout = await instanceLayout(options, instance);
  checkedInstance(instance, layout, numbers.length);
  const decode = async (stored: Buffer) => (await decoded(instance, stored, layout)).pixels;
  const out: Buffer[] = [];
  for (const n of numbers) out.push(source ? await source.decodedFrame(options, instance, index, n, decode) : await decode(await readFrame(options, instance, index, n)));
  return out;
}

/** The parts in one reply of known length: a client sized to it reads it without chunk framing. */
function sendParts(res: Response, encoding: { media: string; ts: string }, data: Buffer[]): void {
  const boundary = newBoundary();
  const heads = data.map((d) => Buffer.from(`--${boundary}\r\nContent-Type: ${encoding.media}; transfer-syntax=${encoding.ts}\r\nContent-Length: ${d.length}\r\n\r\n`));
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const length = data.reduce((n, d, i) => n + (heads[i] as Buffer).length + d.length + 2, tail.length);
  res.status(200).setHeader('Content-Type', `multipart/related; type="${encoding.media}"; boundary=${boundary}`);
  res.setHeader('Content-Length', length);
  res.cork();
  data.forEach((d, i) => {
    res.write(heads[i]);
    res.write(d);
    res.write(CRLF);
  });
  res.end(tail);
}

/** WADO-RS bulkdata: a large binary element named by its tag, from the byte range indexed at ingest. */
export async function bulk(req: Request, res: Response, options: DicomwebOptions): Promise<void> {
  const instance = await oneInstance(req, options);
  const tag = String(req.params.tag ?? '').toUpperCase();
  const range = /^[0-9A-F]{8}(\.\d{1,6}\.[0-9A-F]{8}){0,8}$/.test(tag) ? instance.bulk[tag] : undefined;
  if (!range) throw notFound({ zh: `实例 ${instance.sopInstanceUID} 的批量数据 ${tag.slice(0, 16)}`, en: `bulk data ${tag.slice(0, 16)} of instance ${instance.sopInstanceUID}` });
  if (tag === '7FE00010' && instance.frames) {
    // Pixel data goes out frame by frame, as its frames resource would send it.
    const encoding = frameEncoding(instance, instance.frames, parseAccept(req.get('accept')));
    if (!encoding) throw notAcceptable({ zh: `实例 ${instance.sopInstanceUID} 的像素数据`, en: `pixel data of instance ${instance.sopInstanceUID}` });
    const index = instance.frames;
    const numbers = Array.from({ length: frameCount(index) }, (_, i) => i + 1);
    // Native pixel data is one value, whatever its frames; encapsulated frames go out one part each.
    if (encoding.decode) {
      sendParts(res, encoding, [Buffer.concat(await decodedFrames(options, instance, index, numbers))]);
      return;
    }
    const all = await Promise.all(numbers.map((n) => readFrame(options, instance, index, n)));
    sendParts(res, encoding, index.kind === 'native' ? [Buffer.concat(all)] : all);
    return;
  }
  if (range.length < 0) throw notFound({ zh: `实例 ${instance.sopInstanceUID} 的批量数据 ${tag}`, en: `bulk data ${tag} of instance ${instance.sopInstanceUID}` });
  sendParts(res, { media: 'application/octet-stream', ts: instance.transferSyntax }, [await options.store.blobs.read(instance.storageKey, range.offset, range.length)]);
}

/** WADO-URI (PS3.18 §9): `?requestType=WADO&studyUID=…&seriesUID=…&objectUID=…`, the file as application/dicom. */
export async function wadoUri(req: Request, res: Response, options: DicomwebOptions): Promise<void> {
  const q = new URL(req.originalUrl, 'http://x').searchParams;
  if (q.get('requestType') !== 'WADO') throw new DicomwebError(400, 'DICOMWEB-WADO-URI', { zh: 'requestType 必须为 WADO', en: 'requestType must be WADO' }, { expression: 'requestType' });
  const ids: Record<string, string> = {};
  for (const [param, name] of [['studyUID', 'study'], ['seriesUID', 'series'], ['objectUID', 'instance']] as const) {
    const value = q.get(param);
    if (value === null) throw new DicomwebError(400, 'DICOMWEB-WADO-URI', { zh: `缺少参数 ${param}`, en: `parameter ${param} is missing` }, { expression: param });
    ids[name] = value;
  }
  const asked = q.get('contentType');
  const contentType = (asked ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const transferSyntax = q.get('transferSyntax');
  Object.assign(req.params, ids);
  const instance = await oneInstance(req, options);
  const image = contentType.find((t) => t === 'image/jpeg' || t === 'image/png');
  // Without contentType an image goes out as JPEG (PS3.18 §9.1.2.1), anything else as the DICOM file.
  if (image || (asked === null && instance.frames?.kind === 'native')) {
    const frame = Number(q.get('frameNumber') ?? 1);
    if (!Number.isInteger(frame) || frame < 1 || !instance.frames || frame > frameCount(instance.frames)) throw new DicomwebError(400, 'DICOMWEB-WADO-URI', { zh: `frameNumber 无效`, en: 'frameNumber is not valid' }, { expression: 'frameNumber' });
    const raster = await renderFrame(options, instance, frame, parseWindow(q.get('windowCenter') !== null ? `${q.get('windowCenter')},${q.get('windowWidth')}` : null));
    res.setHeader('Content-Type', image ?? 'image/jpeg');
    res.end(image === 'image/png' ? encodePng(raster) : encodeJpeg(raster, 90));
    return;
  }
  if (contentType.length && !contentType.includes('application/dicom') && !contentType.includes('*/*')) {
    throw notAcceptable({ zh: `WADO-URI 的 contentType "${contentType.join(',')}"`, en: `WADO-URI contentType "${contentType.join(',')}"` });
  }
  if (transferSyntax && transferSyntax !== instance.transferSyntax) throw notAcceptable({ zh: `传输语法 ${transferSyntax.slice(0, 64)}`, en: `transfer syntax ${transferSyntax.slice(0, 64)}` });
  res.status(200).setHeader('Content-Type', 'application/dicom');
  res.setHeader('Content-Length', String(instance.size));
  await pipeInto(options.store.blobs.stream(instance.storageKey), res);
  res.end();
}
