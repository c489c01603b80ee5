import { authFetch } from './fhir-api.js';

/** DICOM JSON (PS3.18 F.2): tag → { vr, Value } */
export type DicomJson = Record<string, { vr?: string; Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string } | undefined>;

export const DICOMWEB_BASE = '/dicomweb';

export const TAG = {
  studyUid: '0020000D',
  seriesUid: '0020000E',
  sopUid: '00080018',
  sopClass: '00080016',
  modality: '00080060',
  seriesNumber: '00200011',
  seriesDescription: '0008103E',
  instanceNumber: '00200013',
  numberOfFrames: '00280008',
  imagePosition: '00200032',
  imageOrientation: '00200037',
  sliceLocation: '00201041',
  patientName: '00100010',
  patientId: '00100020',
  patientSex: '00100040',
  patientBirthDate: '00100030',
  patientAge: '00101010',
  studyDate: '00080020',
  studyDescription: '00081030',
  windowCenter: '00281050',
  windowWidth: '00281051',
  windowExplanation: '00281055',
  rows: '00280010',
  columns: '00280011',
  samplesPerPixel: '00280002',
  photometric: '00280004',
  bitsAllocated: '00280100',
  pixelRepresentation: '00280103',
  rescaleIntercept: '00281052',
  rescaleSlope: '00281053',
} as const;

export function first<T = unknown>(json: DicomJson, tag: string): T | undefined {
  return json[tag]?.Value?.[0] as T | undefined;
}

export function str(json: DicomJson, tag: string): string | undefined {
  const v = first(json, tag);
  return v === undefined || v === null ? undefined : String(v);
}

export function num(json: DicomJson, tag: string): number | undefined {
  const v = first(json, tag);
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function nums(json: DicomJson, tag: string): number[] {
  return (json[tag]?.Value ?? []).map((v) => Number(v)).filter((n) => Number.isFinite(n));
}

export function personName(json: DicomJson, tag: string): { Alphabetic?: string; Ideographic?: string; Phonetic?: string } | undefined {
  return first(json, tag);
}

async function getJson<T>(path: string): Promise<T> {
  const reply = await authFetch(`${DICOMWEB_BASE}${path}`, { headers: { Accept: 'application/dicom+json' } });
  if (!reply.ok) throw new Error(`GET ${DICOMWEB_BASE}${path}: HTTP ${reply.status}`);
  return (await reply.json()) as T;
}

/** The metadata of every instance of a study, in one WADO-RS request. */
export function studyMetadata(studyUid: string): Promise<DicomJson[]> {
  return getJson<DicomJson[]>(`/studies/${encodeURIComponent(studyUid)}/metadata`);
}

export interface SeriesInfo {
  seriesUid: string;
  number?: number;
  description?: string;
  modality?: string;
  /** Instances in display order. */
  instances: DicomJson[];
  /** One entry per frame: `wadors:` image ids. */
  imageIds: string[];
}

/**
 * Position along the slice normal (for sorting a stack the way it lies in the body), falling back
 * to the instance number when the geometry is missing.
 */
function sortKey(instance: DicomJson): number {
  const pos = nums(instance, TAG.imagePosition);
  const ori = nums(instance, TAG.imageOrientation);
  if (pos.length === 3 && ori.length === 6) {
    const [a, b, c, d, e, f] = ori as [number, number, number, number, number, number];
    const normal = [b * f - c * e, c * d - a * f, a * e - b * d] as const;
    return -(normal[0] * pos[0]! + normal[1] * pos[1]! + normal[2] * pos[2]!);
  }
  return num(instance, TAG.instanceNumber) ?? 0;
}

export function frameImageId(origin: string, instance: DicomJson, frame: number): string {
  const study = str(instance, TAG.studyUid) ?? '';
  const series = str(instance, TAG.seriesUid) ?? '';
  const sop = str(instance, TAG.sopUid) ?? '';
  return `wadors:${origin}${DICOMWEB_BASE}/studies/${study}/series/${series}/instances/${sop}/frames/${frame}`;
}

/** Groups a study's instances into series (by series number), each sorted and expanded to frames. */
export function groupSeries(instances: DicomJson[], origin: string): SeriesInfo[] {
  const bySeries = new Map<string, DicomJson[]>();
  for (const instance of instances) {
    const uid = str(instance, TAG.seriesUid);
    if (!uid || instance[TAG.rows] === undefined) continue; // no pixels (SR, waveforms) — nothing to show
    const list = bySeries.get(uid) ?? [];
    list.push(instance);
    bySeries.set(uid, list);
  }
  const series = [...bySeries.entries()].map(([seriesUid, list]): SeriesInfo => {
    list.sort((x, y) => sortKey(x) - sortKey(y) || (num(x, TAG.instanceNumber) ?? 0) - (num(y, TAG.instanceNumber) ?? 0));
    const head = list[0]!;
    const imageIds = list.flatMap((instance) => {
      const frames = Math.max(1, num(instance, TAG.numberOfFrames) ?? 1);
      return Array.from({ length: frames }, (_, i) => frameImageId(origin, instance, i + 1));
    });
    const number = num(head, TAG.seriesNumber);
    const description = str(head, TAG.seriesDescription);
    const modality = str(head, TAG.modality);
    return { seriesUid, instances: list, imageIds, ...(number !== undefined ? { number } : {}), ...(description ? { description } : {}), ...(modality ? { modality } : {}) };
  });
  return series.sort((a, b) => (a.number ?? Infinity) - (b.number ?? Infinity));
}

/** The series thumbnail as an object URL (fetched with the token, which an <img src> could not carry). */
export async function seriesThumbnail(studyUid: string, seriesUid: string): Promise<string | undefined> {
  const reply = await authFetch(`${DICOMWEB_BASE}/studies/${encodeURIComponent(studyUid)}/series/${encodeURIComponent(seriesUid)}/thumbnail?viewport=96,96`, { headers: { Accept: 'image/jpeg, image/png' } });
  if (!reply.ok) return undefined;
  return URL.createObjectURL(await reply.blob());
}
