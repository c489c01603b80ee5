import type { Request, Response } from 'express';
import type { DicomJson } from '../dicom/json.js';
import type { StoreResult } from '../store/store.js';
import { dicomwebBase, pathUid, type DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';
import { parseMediaType, readMultipart } from './multipart.js';

/** Instances of one request indexed at once: the next streams to disk while earlier ones are written to the index. */
const STOW_CONCURRENCY = 4;

/**
 * STOW-RS (PS3.18 §10.5): each part is stored as it streams in; one bad part fails only itself.
 * 200 when every instance is stored, 202 when some failed, 409 when none was stored.
 */
export async function stow(req: Request, res: Response, options: DicomwebOptions): Promise<void> {
  const studyInstanceUID = req.params.study === undefined ? undefined : pathUid(req, 'study');
  const contentType = parseMediaType(req.get('content-type') ?? '');
  if (contentType.type !== 'multipart/related') {
    throw new DicomwebError(415, 'DICOMWEB-STOW-MEDIA', { zh: `STOW-RS 请求体应为 multipart/related，收到的是 "${contentType.type || '（无）'}"`, en: `a STOW-RS body must be multipart/related, not "${contentType.type || '(none)'}"` });
  }
  const boundary = contentType.params.boundary;
  if (!boundary || boundary.length > 70) throw new DicomwebError(400, 'DICOMWEB-STOW-BOUNDARY', { zh: 'multipart/related 缺少 boundary 参数', en: 'multipart/related has no boundary parameter' });
  const rootType = contentType.params.type?.toLowerCase();
  if (rootType && rootType !== 'application/dicom') {
    throw new DicomwebError(415, 'DICOMWEB-STOW-MEDIA', { zh: `仅支持 type="application/dicom" 的 STOW-RS（收到 "${rootType}"）`, en: `only STOW-RS of type="application/dicom" is supported (got "${rootType}")` });
  }
  const store = options.store;
  const results = await readMultipart<StoreResult>(req, boundary, async (part) => {
    const partType = parseMediaType(part.headers['content-type'] ?? 'application/dicom').type;
    if (partType !== 'application/dicom') {
      part.body.resume();
      await new Promise((resolve) => part.body.once('end', resolve).once('close', resolve));
      return { status: 'failed', failureReason: 0xc000, reason: { zh: `部分的媒体类型 "${partType}" 不受支持，应为 application/dicom`, en: `part media type "${partType}" is not supported; application/dicom is` } };
    }
    return store.storeInstance(part.body, { sync: 'defer', ...(studyInstanceUID ? { studyInstanceUID } : {}) });
  }, STOW_CONCURRENCY);
  const base = dicomwebBase(req, options);
  const stored = results.filter((r) => r.status !== 'failed');
  await store.syncStudies(stored.map((r) => r.studyInstanceUID).filter((u): u is string => !!u), base);
  if (results.length === 0) throw new DicomwebError(400, 'DICOMWEB-STOW-EMPTY', { zh: 'STOW-RS 请求中没有任何部分', en: 'the STOW-RS request has no parts' });
  res.status(stored.length === results.length ? 200 : stored.length === 0 ? 409 : 202);
  res.setHeader('Content-Type', 'application/dicom+json');
  res.end(JSON.stringify(stowResponse(results, base, studyInstanceUID)));
}

function stowResponse(results: StoreResult[], base: string, studyUid: string | undefined): DicomJson {
  const referenced: DicomJson[] = [];
  const failed: DicomJson[] = [];
  for (const r of results) {
    const item: DicomJson = {};
    if (r.sopClassUID) item['00081150'] = { vr: 'UI', Value: [r.sopClassUID] };
    if (r.sopInstanceUID) item['00081155'] = { vr: 'UI', Value: [r.sopInstanceUID] };
    if (r.status === 'failed') {
      item['00081197'] = { vr: 'US', Value: [r.failureReason ?? 0x0110] };
      if (r.reason) item['00000902'] = { vr: 'LO', Value: [`${r.reason.zh} | ${r.reason.en}`] };
      failed.push(item);
    } else {
      item['00081190'] = { vr: 'UR', Value: [`${base}/studies/${r.studyInstanceUID}/series/${r.seriesInstanceUID}/instances/${r.sopInstanceUID}`] };
      referenced.push(item);
    }
  }
  const study = studyUid ?? (new Set(results.map((r) => r.studyInstanceUID).filter(Boolean)).size === 1 ? results.find((r) => r.studyInstanceUID)?.studyInstanceUID : undefined);
  return {
    ...(study ? { '00081190': { vr: 'UR', Value: [`${base}/studies/${study}`] } } : {}),
    ...(failed.length ? { '00081198': { vr: 'SQ', Value: failed } } : {}),
    ...(referenced.length ? { '00081199': { vr: 'SQ', Value: referenced } } : {}),
  };
}
