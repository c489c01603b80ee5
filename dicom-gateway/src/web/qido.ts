import type { Request, Response } from 'express';
import { tagOf } from '../dicom/dictionary.js';
import { firstString, type DicomJson } from '../dicom/json.js';
import { DicomwebProxy } from '../proxy/proxy.js';
import { QueryError, resolveKeys, type QidoLevel, type QidoQuery } from '../store/query.js';
import { dicomwebBase, pathUid, type DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';

const CONTROL = new Set(['includefield', 'fuzzymatching', 'limit', 'offset']);

/** QIDO-RS (PS3.18 §10.6) at one level; UIDs in the path become matching keys. */
export async function qido(req: Request, res: Response, options: DicomwebOptions, level: QidoLevel): Promise<void> {
  const query = parseQuery(req);
  const { ignored } = resolveKeys(query, level);
  const find = level === 'study' ? options.store.findStudies : level === 'series' ? options.store.findSeries : options.store.findInstances;
  const base = dicomwebBase(req, options);
  const remote = options.proxy && !DicomwebProxy.proxied(req) ? options.proxy.query(req.url, base) : undefined;
  let results;
  try {
    results = await find.call(options.store, query, { dicomwebBase: base });
  } catch (error) {
    if (error instanceof QueryError) throw new DicomwebError(400, 'DICOMWEB-QIDO-VALUE', error.reason, { expression: error.key });
    throw error;
  } finally {
    // Settled either way, so that a refused query leaves no rejection behind.
    await remote?.catch(() => undefined);
  }
  const warnings: string[] = [];
  // Keys the index does not match on are ignored, as PS3.18 §8.3.4.1 allows, and said so.
  if (ignored.length) warnings.push(`The following matching keys are not supported and were ignored: ${ignored.join(', ')}`);
  if (remote) {
    const answer = await remote;
    results = merge(results, answer.results, level, base, query.limit);
    for (const failure of answer.failures) warnings.push(`remote archive ${failure.peer} did not answer: ${failure.why}`);
  }
  if (warnings.length) res.setHeader('Warning', warnings.map((w) => `299 qiao "${w.replace(/[^\x20-\x7e]/g, '?').replace(/"/g, "'")}"`));
  if (results.length === 0) {
    res.status(204).end();
    return;
  }
  res.setHeader('Content-Type', 'application/dicom+json');
  res.end(JSON.stringify(results));
}

const KEY_TAG: Record<QidoLevel, string> = { study: '0020000D', series: '0020000E', instance: '00080018' };

/**
 * Local answers first, then remote ones this gateway does not hold, each with a RetrieveURL on this
 * gateway (it proxies the retrieval); `limit` applies to the whole, `offset` to each archive.
 */
function merge(local: DicomJson[], remote: { item: DicomJson }[], level: QidoLevel, base: string, limit: number | undefined): DicomJson[] {
  const seen = new Set(local.map((item) => firstString(item, KEY_TAG[level])));
  const merged = [...local];
  for (const { item } of remote) {
    const uid = firstString(item, KEY_TAG[level]);
    if (!uid || seen.has(uid)) continue;
    seen.add(uid);
    const study = firstString(item, '0020000D');
    const series = firstString(item, '0020000E');
    const url = level === 'study' ? `${base}/studies/${study}` : level === 'series' ? `${base}/studies/${study}/series/${series}` : `${base}/studies/${study}/series/${series}/instances/${uid}`;
    merged.push({ ...item, '00081190': { vr: 'UR', Value: [url] } });
  }
  return limit !== undefined ? merged.slice(0, limit) : merged;
}

function parseQuery(req: Request): QidoQuery {
  const match: Record<string, string> = {};
  const includeFields: string[] = [];
  let all = false;
  let fuzzy = false;
  let limit: number | undefined;
  let offset: number | undefined;
  const url = new URL(req.originalUrl, 'http://x');
  for (const [name, value] of url.searchParams) {
    if (name === 'includefield') {
      for (const f of value.split(',').map((v) => v.trim()).filter(Boolean)) {
        if (f === 'all') all = true;
        else if (!tagOf(f)) throw badParam(name, f, { zh: '不是已知的属性关键字或标签', en: 'is not a known attribute keyword or tag' });
        else includeFields.push(f);
      }
    } else if (name === 'fuzzymatching') {
      if (value !== 'true' && value !== 'false') throw badParam(name, value, { zh: '应为 true 或 false', en: 'must be true or false' });
      fuzzy = value === 'true';
    } else if (name === 'limit' || name === 'offset') {
      if (!/^\d{1,9}$/.test(value)) throw badParam(name, value, { zh: '应为非负整数', en: 'must be a non-negative integer' });
      if (name === 'limit') limit = Number(value);
      else offset = Number(value);
    } else if (!CONTROL.has(name)) {
      // Nested keys (`RequestAttributesSequence.ScheduledProcedureStepID`) are accepted and ignored.
      const key = name.split('.')[0] ?? name;
      if (!tagOf(key)) throw badParam(name, value, { zh: '不是已知的属性关键字或标签', en: 'is not a known attribute keyword or tag' });
      if (name.includes('.')) continue;
      match[name] = value;
    }
  }
  if (req.params.study !== undefined) match.StudyInstanceUID = pathUid(req, 'study');
  if (req.params.series !== undefined) match.SeriesInstanceUID = pathUid(req, 'series');
  return { match, fuzzy, ...(all ? { includeFields: 'all' as const } : includeFields.length ? { includeFields } : {}), ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
}

function badParam(name: string, value: string, what: { zh: string; en: string }): DicomwebError {
  const v = value.slice(0, 80);
  return new DicomwebError(400, 'DICOMWEB-QIDO-PARAM', { zh: `查询参数 ${name}="${v}" ${what.zh}`, en: `query parameter ${name}="${v}" ${what.en}` }, { expression: name });
}
