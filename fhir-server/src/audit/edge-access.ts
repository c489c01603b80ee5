import type { Request } from 'express';
import type { Queryable } from '../repository/db.js';
import { AUDIT, type AuditData } from './event.js';
import { studyEntity, type AccessFacts, type Seen } from './http-access.js';

const UID = /^[0-9.]{1,64}$/;

/** A study's patient as last looked up, and until when that answer is used (per database). */
const patientsSeen = new WeakMap<Queryable, Map<string, { patients: string[]; until: number }>>();
/** A viewer asks for a study's frames hundreds of times a minute: its patient is looked up once in a while, not per frame. */
const KNOWN_MS = 10_000;
/** A study whose ImagingStudy is not there yet (its first instances) gets one soon. */
const UNKNOWN_MS = 1_000;
const SEEN_MAX = 10_000;

/** The patient of a study, through its ImagingStudy (identifier urn:oid:<uid>, subject Patient). */
export async function patientOfStudy(db: Queryable, uid: string): Promise<string[]> {
  let seen = patientsSeen.get(db);
  if (!seen) patientsSeen.set(db, (seen = new Map()));
  const known = seen.get(uid);
  if (known && known.until > Date.now()) return known.patients;
  const patients = await lookUpPatientOfStudy(db, uid);
  if (seen.size >= SEEN_MAX) seen.clear();
  seen.set(uid, { patients, until: Date.now() + (patients.length ? KNOWN_MS : UNKNOWN_MS) });
  return patients;
}

async function lookUpPatientOfStudy(db: Queryable, uid: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT r.target_id AS id FROM search_token t
     JOIN search_reference r ON r.resource_type = t.resource_type AND r.id = t.id AND r.param IN ('patient', 'subject') AND r.target_type = 'Patient'
     WHERE t.resource_type = 'ImagingStudy' AND t.param = 'identifier' AND t.value = $1 LIMIT 1`,
    [`urn:oid:${uid}`],
  );
  return rows.map((r) => r.id);
}

/** What the audit reads from a DICOMweb path (below the mount): the study it names and whether it is a QIDO-RS query. */
function dicomwebPath(path: string): { study: string | undefined; isQuery: boolean } {
  const segments = path.split('/').filter((s) => s !== '');
  const study = segments[0] === 'studies' && segments[1] && UID.test(segments[1]) ? segments[1] : undefined;
  const isQuery = segments.length === 0 || /^(studies|series|instances)$/.test(segments[segments.length - 1] ?? '');
  return { study, isQuery };
}

/**
 * A DICOMweb request as an audit record, at study level: WADO-RS (retrieve, metadata, rendered,
 * frames) is DICOM "Instances Accessed" (R), QIDO-RS a query (E, with the query), STOW-RS
 * "Instances Transferred" (C), a delete D. The study's patient is looked up from its ImagingStudy.
 */
export async function dicomwebAccess(db: Queryable, req: Request, seen: Seen): Promise<AccessFacts | undefined> {
  if (req.method === 'OPTIONS') return undefined;
  const { study: inPath, isQuery } = dicomwebPath(seen.path);
  // A STOW-RS to /studies names its studies only in the reply (the retrieve URLs of what it stored).
  const studies = inPath ? [inPath] : [...new Set([...(seen.reply ?? '').matchAll(/\/studies\/([0-9.]{1,64})/g)].map((m) => m[1] as string))].slice(0, 20);
  const data: AuditData[] = studies.map(studyEntity);
  const queryIndex = req.originalUrl.indexOf('?');
  const query = queryIndex >= 0 ? req.originalUrl.slice(queryIndex + 1) : '';
  const patients = [...new Set((await Promise.all(studies.map((s) => patientOfStudy(db, s).catch(() => [])))).flat())];
  if (req.method === 'POST') {
    return { type: { system: AUDIT.dcm, code: '110104', display: 'DICOM Instances Transferred' }, subtype: [{ system: AUDIT.qiaoEvent, code: 'stow-rs', display: 'STOW-RS' }], action: 'C', data, patients };
  }
  if (req.method === 'DELETE') {
    return { type: { system: AUDIT.dcm, code: '110103', display: 'DICOM Instances Accessed' }, subtype: [{ system: AUDIT.qiaoEvent, code: 'dicomweb-delete', display: 'DICOMweb delete' }], action: 'D', data, patients };
  }
  if (isQuery) {
    return {
      type: { system: AUDIT.dcm, code: '110112', display: 'Query' },
      subtype: [{ system: AUDIT.qiaoEvent, code: 'qido-rs', display: 'QIDO-RS' }],
      action: 'E',
      data: [...data, { query: `GET /dicomweb${seen.path}${query ? `?${query}` : ''}` }],
      patients,
    };
  }
  return { type: { system: AUDIT.dcm, code: '110103', display: 'DICOM Instances Accessed' }, subtype: [{ system: AUDIT.qiaoEvent, code: 'wado-rs', display: 'WADO-RS' }], action: 'R', data, patients, repeatable: true };
}

/** A WADO-RS read of one study, named by that study: its facts (`dicomwebAccess`) are the same for every read of it. */
export function dicomwebRepeat(req: Request, seen: Seen): string | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const { study, isQuery } = dicomwebPath(seen.path);
  return study && !isQuery ? `wado-rs ${study}` : undefined;
}

/** A bulk-export status poll, file download or cancellation as an audit record (the kick-off is the $export operation's). */
export async function bulkAccess(req: Request, seen: Seen): Promise<AccessFacts | undefined> {
  // Mounted at the bulk-export path: what is left is `/<job>` or `/<job>/<Type>.ndjson`.
  const [job, file] = seen.path.split('/').filter((s) => s !== '');
  if (!job || req.method === 'OPTIONS') return undefined;
  const code = req.method === 'DELETE' ? 'bulk-cancel' : file ? 'bulk-download' : 'bulk-status';
  return {
    type: { system: AUDIT.dcm, code: '110106', display: 'Export' },
    subtype: [{ system: AUDIT.qiaoEvent, code, display: code === 'bulk-download' ? '下载导出文件 | Export file downloaded' : code === 'bulk-cancel' ? '取消导出 | Export cancelled' : '查询导出状态 | Export status polled' }],
    action: req.method === 'DELETE' ? 'D' : 'R',
    data: [{ identifier: { system: 'https://qiao.health/fhir/sid/bulk-export-job', value: job }, ...(file ? { display: file, detail: [{ type: 'file', value: file }] } : {}) }],
  };
}
