import type { Request } from 'express';
import { isPathSafeUid } from '../dicom/uid.js';
import type { DicomwebProxy } from '../proxy/proxy.js';
import type { DicomStore } from '../store/store.js';
import { DicomwebError } from './errors.js';

export interface DicomwebOptions {
  store: DicomStore;
  /** Public origin (`https://hub.example.cn`) when configured; otherwise taken from each request. */
  publicOrigin?: () => string | undefined;
  /** Remote archives asked for what this gateway does not hold (proxy mode); none when absent. */
  proxy?: DicomwebProxy;
  /** Memory for frames read more than once (see FrameSource); 0 turns it off. Default 128 MiB. */
  frameCacheBytes?: number;
}

/** The DICOMweb base as the client reached it, for RetrieveURL and BulkDataURI. */
export function dicomwebBase(req: Request, options: DicomwebOptions): string {
  const origin = options.publicOrigin?.() ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return `${origin}${req.baseUrl}`;
}

/** A UID from the URL path: validated before it reaches SQL or a file path. */
export function pathUid(req: Request, name: 'study' | 'series' | 'instance'): string {
  const value = req.params[name];
  if (!isPathSafeUid(value)) {
    const label = { study: ['检查', 'study'], series: ['序列', 'series'], instance: ['实例', 'instance'] }[name];
    throw new DicomwebError(400, 'DICOMWEB-UID', { zh: `路径中的${label[0]} UID "${String(value).slice(0, 80)}" 无效：UID 只能由数字和点组成，至多 64 个字符`, en: `the ${label[1]} UID "${String(value).slice(0, 80)}" in the path is not valid: a UID is digits and dots, at most 64 characters` }, { expression: `${label[1]}UID` });
  }
  return value;
}

export function notFound(what: { zh: string; en: string }): DicomwebError {
  return new DicomwebError(404, 'DICOMWEB-NOT-FOUND', { zh: `未找到${what.zh}`, en: `${what.en} not found` });
}
