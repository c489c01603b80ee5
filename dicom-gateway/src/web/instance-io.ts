import type { Request } from 'express';
import type { FrameIndex } from '../dicom/parse.js';
import type { InstanceRecord } from '../store/store.js';
import type { BufferPool } from './buffer-pool.js';
import { notFound, pathUid, type DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';

/** What retrieve, frames, bulk data and rendering share: the scope from the path, frames located and read. */
export type Scope = { study: string; series?: string; sop?: string };

export function scopeOf(req: Request): Scope {
  return {
    study: pathUid(req, 'study'),
    ...(req.params.series !== undefined ? { series: pathUid(req, 'series') } : {}),
    ...(req.params.instance !== undefined ? { sop: pathUid(req, 'instance') } : {}),
  };
}

export function describe(scope: Scope): { zh: string; en: string } {
  if (scope.sop) return { zh: `实例 ${scope.sop}`, en: `instance ${scope.sop}` };
  if (scope.series) return { zh: `序列 ${scope.series}`, en: `series ${scope.series}` };
  return { zh: `检查 ${scope.study}`, en: `study ${scope.study}` };
}

export function notAcceptable(what: { zh: string; en: string }): DicomwebError {
  return new DicomwebError(406, 'DICOMWEB-ACCEPT', { zh: `无法以所请求的媒体类型或传输语法提供${what.zh}（只提供存储的语法或解压后的未压缩像素）`, en: `${what.en} cannot be sent in the media type or transfer syntax asked for (only the stored syntax, or uncompressed pixels decoded from it)` });
}

export async function oneInstance(req: Request, options: DicomwebOptions): Promise<InstanceRecord> {
  const scope = scopeOf(req);
  const [instance] = await options.store.instances(scope);
  if (!instance) throw notFound(describe(scope));
  return instance;
}

export function parseFrameList(value: string | undefined, count: number): number[] {
  const list = (value ?? '').split(',').map((v) => v.trim());
  if (list.length === 0 || list.some((v) => !/^\d{1,9}$/.test(v))) {
    throw new DicomwebError(400, 'DICOMWEB-FRAMES', { zh: `帧列表 "${String(value).slice(0, 80)}" 无效：应为以逗号分隔的正整数`, en: `frame list "${String(value).slice(0, 80)}" is not valid: comma-separated positive integers are expected` }, { expression: 'frames' });
  }
  const numbers = list.map(Number);
  const bad = numbers.find((n) => n < 1 || n > count);
  if (bad !== undefined) throw new DicomwebError(404, 'DICOMWEB-FRAMES', { zh: `帧 ${bad} 不存在（共 ${count} 帧）`, en: `frame ${bad} does not exist (the instance has ${count})` }, { expression: 'frames' });
  return numbers;
}

export function frameCount(frames: FrameIndex): number {
  return frames.kind === 'native' ? frames.count : frames.frames.length;
}

/** Bytes of frame n (1-based), read by range from the stored file (a native frame into a buffer of `pool` when given). */
export async function readFrame(options: DicomwebOptions, instance: InstanceRecord, frames: FrameIndex, n: number, pool?: BufferPool): Promise<Buffer> {
  if (frames.kind === 'native') {
    const data = await options.store.blobs.read(instance.storageKey, frames.offset + (n - 1) * frames.length, frames.length, pool?.take(frames.length));
    // Explicit big endian files: frames go out little endian, as application/octet-stream means.
    if (frames.swapBytes === 2) data.swap16();
    else if (frames.swapBytes === 4) data.swap32();
    return data;
  }
  const fragments = frames.frames[n - 1] ?? [];
  const parts = await Promise.all(fragments.map(([offset, length]) => options.store.blobs.read(instance.storageKey, offset, length)));
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}
