import zlib from 'node:zlib';
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { vrOf } from './dictionary.js';
import { datasetToJson, firstNumber, firstString, type BulkRange, type DicomJson } from './json.js';
import { DEFLATED_LE, EXPLICIT_BE, IMPLICIT_LE } from './transfer-syntax.js';
import { checkTail } from './tail.js';

/** Where each frame's bytes are in the stored file: read by range, never by parsing the file again. */
export type FrameIndex =
  /** Native pixel data: frame n (0-based) is `length` bytes at `offset + n × length`. */
  | { kind: 'native'; offset: number; length: number; count: number; swapBytes?: 2 | 4 }
  /** Encapsulated: each frame is one or more fragments `[offset, length]`. */
  | { kind: 'encapsulated'; frames: [number, number][][] };

export interface ParsedInstance {
  transferSyntaxUID: string;
  sopClassUID: string | undefined;
  sopInstanceUID: string | undefined;
  studyInstanceUID: string | undefined;
  seriesInstanceUID: string | undefined;
  /** The dataset without file meta, as DICOM JSON with bulk data placeholders. */
  json: DicomJson;
  bulk: Record<string, BulkRange>;
  frames: FrameIndex | undefined;
  /** Where the Data Set Trailing Padding that ends the file begins, if it has any. */
  paddingStart: number | undefined;
}

export class DicomParseError extends Error {}

/** What the parser reads a file through: a `FileHandle`, or anything that reads by position (opened only when needed). */
export interface PositionalReader {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<unknown>;
}

const PIXEL_DATA = 'x7fe00010';
/** Headers are almost always far smaller; a 512×512 CT is read whole with one read of this size. */
const FIRST_READ = 1024 * 1024;
/** What the store keeps of a file's start while it streams in: enough for nearly every header. */
export const HEAD_BYTES = 128 * 1024;

/**
 * Reads a stored Part 10 file's header (everything before Pixel Data) and indexes its frames.
 * Pixel data itself is never read: only item headers of encapsulated fragments.
 */
export async function parseInstanceFile(
  file: PositionalReader,
  size: number,
  instancePath: (ids: { study: string; series: string; sop: string }) => string,
  /** The file's first bytes if the caller already has them (the store keeps them as they stream in). */
  head?: Buffer,
): Promise<ParsedInstance> {
  let length = head ? Math.min(size, head.length) : Math.min(size, FIRST_READ);
  for (;;) {
    let bytes: Buffer;
    if (head && head.length >= length) bytes = head.subarray(0, length);
    else {
      bytes = Buffer.alloc(length);
      await file.read(bytes, 0, length, 0);
    }
    const complete = length >= size;
    let dataSet: DataSet;
    try {
      dataSet = dicomParser.parseDicom(bytes, {
        untilTag: PIXEL_DATA,
        // dicom-parser names tags `x00280010`, in lower case; the dictionary wants `00280010`.
        vrCallback: implicitVr as (tag: string) => void,
        inflater: inflate,
      });
    } catch (error) {
      if (!complete) {
        length = size;
        continue;
      }
      throw new DicomParseError(describe(error));
    }
    const pixel = dataSet.elements[PIXEL_DATA];
    if (!pixel && !complete) {
      length = size;
      continue;
    }
    return finish(dataSet, pixel, file, size, instancePath);
  }
}

function implicitVr(tag: string): string {
  return vrOf(tag.slice(1).toUpperCase());
}

function inflate(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = zlib.inflateRawSync(Buffer.from(bytes.buffer, bytes.byteOffset + position, bytes.byteLength - position));
  return Buffer.concat([Buffer.from(bytes.buffer, bytes.byteOffset, position), inflated]);
}

function describe(error: unknown): string {
  const e = error as { exception?: unknown; message?: unknown } | string;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'exception' in e) return String(e.exception);
  return String((e as { message?: unknown })?.message ?? e);
}

async function finish(dataSet: DataSet, pixel: Element | undefined, file: PositionalReader, size: number, instancePath: (ids: { study: string; series: string; sop: string }) => string): Promise<ParsedInstance> {
  const transferSyntaxUID = dataSet.string('x00020010')?.replace(/\0/g, '').trim() ?? '';
  // The file meta repeats the SOP class; some writers leave it out of the data set. Not the instance
  // UID: a data set without one is served and queried without one, whatever its file meta said.
  const sopInstanceUID = clean(dataSet.string('x00080018'));
  const studyInstanceUID = clean(dataSet.string('x0020000d'));
  const seriesInstanceUID = clean(dataSet.string('x0020000e'));
  const sopClassUID = clean(dataSet.string('x00080016')) ?? clean(dataSet.string('x00020002'));
  const deflated = transferSyntaxUID === DEFLATED_LE;
  const { json, bulk } = datasetToJson(dataSet, {
    instancePath: instancePath({ study: studyInstanceUID ?? '', series: seriesInstanceUID ?? '', sop: sopInstanceUID ?? '' }),
    bulkFromFile: !deflated,
  });
  // DICOM JSON is UTF-8 whatever the file's character set was, or none declared (PS3.18 F.2).
  json['00080005'] = { vr: 'CS', Value: ['ISO_IR 192'] };
  // A deflated file's offsets point into the inflated copy, not the file: no frames or pixel bulk data.
  if (deflated) delete json['7FE00010'];
  if (pixel && !deflated && !pixel.hadUndefinedLength && pixel.dataOffset + pixel.length > size) {
    throw new DicomParseError(`pixel data truncated: ${pixel.length} bytes declared, ${Math.max(0, size - pixel.dataOffset)} present`);
  }
  let frames: FrameIndex | undefined;
  // Without Pixel Data the whole data set was parsed: a padding element is among its elements.
  const padding = dataSet.elements.xfffcfffc;
  let paddingStart = padding && !deflated && padding.dataOffset + padding.length === size ? padding.dataOffset - (transferSyntaxUID === IMPLICIT_LE ? 8 : 12) : undefined;
  if (pixel && !deflated) {
    const located = pixel.hadUndefinedLength ? await encapsulatedFrames(file, size, pixel.dataOffset, Math.max(1, firstNumber(json, '00280008') ?? 1)) : { frames: nativeFrames(json, pixel, transferSyntaxUID, size), end: pixel.dataOffset + pixel.length };
    frames = located.frames;
    if (located.end !== undefined) paddingStart = await checkTail(file, size, located.end, transferSyntaxUID);
  }
  return { transferSyntaxUID, sopClassUID, sopInstanceUID, studyInstanceUID, seriesInstanceUID, json, bulk, frames, paddingStart };
}

function clean(value: string | undefined): string | undefined {
  const v = value?.replace(/\0/g, '').trim();
  return v ? v : undefined;
}

function nativeFrames(json: DicomJson, pixel: Element, transferSyntax: string, size: number): FrameIndex | undefined {
  const rows = firstNumber(json, '00280010') ?? 0;
  const columns = firstNumber(json, '00280011') ?? 0;
  const samples = firstNumber(json, '00280002') ?? 1;
  const bits = firstNumber(json, '00280100') ?? 0;
  const count = Math.max(1, firstNumber(json, '00280008') ?? 1);
  // YBR_FULL_422 keeps two samples per pixel when uncompressed (PS3.3 C.7.6.3.1.2).
  const perPixel = firstString(json, '00280004') === 'YBR_FULL_422' ? 2 : samples;
  const bitsPerFrame = rows * columns * perPixel * bits;
  // Single-bit frames that do not end on a byte boundary cannot be cut out by byte range.
  if (bitsPerFrame === 0 || (count > 1 && bitsPerFrame % 8 !== 0)) return undefined;
  const length = Math.ceil(bitsPerFrame / 8);
  if (length * count > pixel.length || pixel.dataOffset + length * count > size) return undefined;
  return { kind: 'native', offset: pixel.dataOffset, length, count, ...(transferSyntax === EXPLICIT_BE && (bits === 16 || bits === 32) ? { swapBytes: bits / 8 as 2 | 4 } : {}) };
}

/**
 * Walks the fragment items (PS3.5 A.4) by their 8-byte headers and groups fragments into frames;
 * `end` is where the sequence delimiter ends (unknown for items that are not items).
 */
async function encapsulatedFrames(file: PositionalReader, size: number, start: number, frameCount: number): Promise<{ frames: FrameIndex | undefined; end: number | undefined }> {
  const fragments = await fragmentItems(file, size, start);
  return { frames: fragments && groupFragments(fragments.items, fragments.offsetTable, frameCount), end: fragments?.end };
}

interface Fragment {
  itemStart: number;
  offset: number;
  length: number;
}

async function fragmentItems(file: PositionalReader, size: number, start: number): Promise<{ items: Fragment[]; offsetTable: number[] | undefined; end: number } | undefined> {
  const header = Buffer.alloc(8);
  let pos = start;
  let offsetTable: number[] | undefined;
  const fragments: Fragment[] = [];
  for (;;) {
    if (pos + 8 > size) throw new DicomParseError('encapsulated pixel data truncated: no sequence delimiter');
    await file.read(header, 0, 8, pos);
    const group = header.readUInt16LE(0);
    const element = header.readUInt16LE(2);
    const length = header.readUInt32LE(4);
    if (group !== 0xfffe) return undefined;
    if (element === 0xe0dd) return { items: fragments, offsetTable, end: pos + 8 };
    if (element !== 0xe000) return undefined;
    if (pos + 8 + length > size) throw new DicomParseError('encapsulated pixel data truncated inside a fragment');
    if (offsetTable === undefined) {
      const table = Buffer.alloc(length);
      if (length) await file.read(table, 0, length, pos + 8);
      offsetTable = [];
      for (let i = 0; i + 4 <= length; i += 4) offsetTable.push(table.readUInt32LE(i));
    } else {
      fragments.push({ itemStart: pos, offset: pos + 8, length });
    }
    pos += 8 + length;
  }
}

function groupFragments(fragments: Fragment[], offsetTable: number[] | undefined, frameCount: number): FrameIndex | undefined {
  if (fragments.length === 0) return undefined;
  const first = fragments[0]!.itemStart;
  const range = (f: { offset: number; length: number }): [number, number] => [f.offset, f.length];
  if (frameCount === 1) return { kind: 'encapsulated', frames: [fragments.map(range)] };
  if (offsetTable && offsetTable.length === frameCount) {
    const starts = offsetTable.map((o) => first + o);
    const frames = starts.map((s, i) => fragments.filter((f) => f.itemStart >= s && (i + 1 >= starts.length || f.itemStart < (starts[i + 1] as number))).map(range));
    return frames.every((f) => f.length > 0) ? { kind: 'encapsulated', frames } : undefined;
  }
  if (fragments.length === frameCount) return { kind: 'encapsulated', frames: fragments.map((f) => [range(f)]) };
  return undefined;
}
