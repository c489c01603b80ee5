import type { DataSet, Element } from 'dicom-parser';
import { decodePersonNames, decodeValues, type PersonName, type SpecificCharacterSet } from '../charset/index.js';
import { vrOf } from './dictionary.js';

/** One attribute in the DICOM JSON model (PS3.18 F.2). */
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
/** A dataset in the DICOM JSON model, keyed by 8-hex-digit tags. */
export type DicomJson = Record<string, DicomJsonElement>;

/** Where a top-level binary value sits in the stored file, for WADO-RS bulkdata by byte range. */
export interface BulkRange {
  offset: number;
  length: number;
}

/**
 * A stand-in written into stored metadata in place of the public base URL, which depends on the
 * request; replaced when served (see `withBase`). It only ever follows `"BulkDataURI":"`.
 */
export const BASE_PLACEHOLDER = '@@QIAO_DICOMWEB@@';

const STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DT', 'LO', 'LT', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
/** Binary values above this size are served as bulk data rather than inline base64. */
const INLINE_LIMIT = 1024;
const PIXEL_DATA = '7FE00010';

export interface ToJsonOptions {
  /** `<studies/…/instances/uid>` path below the DICOMweb base, for BulkDataURIs. */
  instancePath: string;
  /** False when the dataset was inflated from a deflated file: offsets then do not point into it. */
  bulkFromFile: boolean;
}

export interface JsonResult {
  json: DicomJson;
  bulk: Record<string, BulkRange>;
}

/** Converts a parsed dataset (file meta group left out) to DICOM JSON; large binaries become BulkDataURIs. */
export function datasetToJson(dataSet: DataSet, options: ToJsonOptions): JsonResult {
  const bulk: Record<string, BulkRange> = {};
  const json = convert(dataSet, undefined, '', (key, element, vr) => {
    const pixelData = key === PIXEL_DATA;
    if (!options.bulkFromFile || (element.hadUndefinedLength && !pixelData)) return undefined;
    if (!pixelData && (element.length <= INLINE_LIMIT || !BINARY_VRS.has(vr))) return undefined;
    bulk[key] = { offset: element.dataOffset, length: element.hadUndefinedLength ? -1 : element.length };
    return `${BASE_PLACEHOLDER}/${options.instancePath}/bulk/${key}`;
  });
  return { json, bulk };
}

function rawCharset(dataSet: DataSet): string {
  const element = dataSet.elements.x00080005;
  if (!element) return '';
  return Buffer.from(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, element.length).toString('latin1');
}

/** `key` is the tag, or for an element inside a sequence its path: `54000100.1.54001010` (item numbers from 1). */
type BulkHook = (key: string, element: Element, vr: string) => string | undefined;

function convert(dataSet: DataSet, inherited: SpecificCharacterSet, path: string, bulkHook: BulkHook): DicomJson {
  const out: DicomJson = {};
  const scs = dataSet.elements.x00080005 ? rawCharset(dataSet) : inherited;
  const tags = Object.keys(dataSet.elements).sort();
  for (const key of tags) {
    const element = dataSet.elements[key] as Element;
    const tag = key.slice(1).toUpperCase();
    // File meta, group lengths and item delimiters are framing, not content.
    if (tag.startsWith('0002') || tag.endsWith('0000') || tag.startsWith('FFFE')) continue;
    const vr = element.vr ?? (element.items ? 'SQ' : vrOf(tag));
    out[tag] = elementToJson(dataSet, element, tag, vr, scs, path, bulkHook);
  }
  return out;
}

function elementToJson(dataSet: DataSet, element: Element, tag: string, vr: string, scs: SpecificCharacterSet, path: string, bulkHook: BulkHook): DicomJsonElement {
  const key = `${path}${tag}`;
  if (vr === 'SQ' || element.items) {
    const items = (element.items ?? []).map((item, i) => (item.dataSet ? convert(item.dataSet, scs, `${key}.${i + 1}.`, bulkHook) : {}));
    return items.length ? { vr: 'SQ', Value: items } : { vr: 'SQ' };
  }
  const uri = bulkHook(key, element, vr);
  if (uri) return { vr, BulkDataURI: uri };
  const length = element.hadUndefinedLength ? 0 : element.length;
  if (length === 0 && !element.fragments) return { vr };
  const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + length);
  if (vr === 'PN') {
    const names = decodePersonNames(bytes, scs);
    return names.some((n) => Object.keys(n).length) ? { vr, Value: names.map((n: PersonName) => (Object.keys(n).length ? n : null)) } : { vr };
  }
  if (STRING_VRS.has(vr)) return withValues(vr, decodeValues(bytes, scs, vr).map((v) => (v === '' ? null : v)));
  if (vr === 'IS' || vr === 'DS') {
    return withValues(vr, decodeValues(bytes, undefined, vr).map((v) => (v === '' ? null : numberOrNull(v, vr))));
  }
  if (vr === 'AT') {
    const values: string[] = [];
    for (let i = 0; i + 4 <= length; i += 4) values.push(hex4(dataSet.uint16(`x${tag.toLowerCase()}`, i / 2) ?? 0) + hex4(dataSet.uint16(`x${tag.toLowerCase()}`, i / 2 + 1) ?? 0));
    return withValues(vr, values);
  }
  const numeric = numericValues(dataSet, `x${tag.toLowerCase()}`, vr, length);
  if (numeric) return withValues(vr, numeric);
  return { vr, InlineBinary: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

function withValues(vr: string, values: unknown[]): DicomJsonElement {
  return values.length === 0 || values.every((v) => v === null) ? { vr } : { vr, Value: values };
}

function numberOrNull(text: string, vr: string): number | null {
  const n = vr === 'IS' ? Number.parseInt(text, 10) : Number(text);
  return Number.isFinite(n) ? n : null;
}

const NUMERIC: Record<string, { size: number; read: (ds: DataSet, tag: string, i: number) => number | undefined }> = {
  US: { size: 2, read: (ds, t, i) => ds.uint16(t, i) },
  SS: { size: 2, read: (ds, t, i) => ds.int16(t, i) },
  UL: { size: 4, read: (ds, t, i) => ds.uint32(t, i) },
  SL: { size: 4, read: (ds, t, i) => ds.int32(t, i) },
  FL: { size: 4, read: (ds, t, i) => ds.float(t, i) },
  FD: { size: 8, read: (ds, t, i) => ds.double(t, i) },
};

function numericValues(dataSet: DataSet, key: string, vr: string, length: number): number[] | undefined {
  const kind = NUMERIC[vr];
  if (!kind) return undefined;
  const values: number[] = [];
  for (let i = 0; (i + 1) * kind.size <= length; i++) values.push(kind.read(dataSet, key, i) ?? 0);
  return values;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** The first value of a string attribute, or undefined. */
export function firstString(json: DicomJson, tag: string): string | undefined {
  const v = json[tag]?.Value?.[0];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function firstNumber(json: DicomJson, tag: string): number | undefined {
  const v = json[tag]?.Value?.[0];
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

export function firstPersonName(json: DicomJson, tag: string): PersonName | undefined {
  const v = json[tag]?.Value?.[0];
  return v && typeof v === 'object' ? (v as PersonName) : undefined;
}

/** Metadata text as stored → as served: bulk data URIs get the public DICOMweb base. */
export function withBase(storedJson: string, dicomwebBase: string): string {
  return storedJson.includes(BASE_PLACEHOLDER) ? storedJson.replaceAll(`"BulkDataURI":"${BASE_PLACEHOLDER}`, `"BulkDataURI":"${dicomwebBase}`) : storedJson;
}
