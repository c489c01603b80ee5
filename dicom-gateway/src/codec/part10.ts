import dicomParser from 'dicom-parser';
import { parseInstanceFile } from '../dicom/parse.js';
import { fileMetaHeader } from '../dicom/part10-meta.js';
import { pixelLayout } from '../dicom/pixel-layout.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { CodecError } from './error.js';
import { checkDecodedInstance, decodable } from './index.js';
import { decodeFrameOffThread } from './pool.js';

/**
 * A stored instance with encapsulated pixel data as the same instance in explicit VR little endian
 * with native pixel data: for a peer that takes none of the compressed syntaxes. The data set of an
 * encapsulated syntax is explicit VR little endian already, so it is copied as it is up to Pixel
 * Data; only Photometric Interpretation changes where the decoder converted colour to RGB. What
 * follows Pixel Data (padding, digital signatures, which the new pixel data would break) is left out.
 */
export async function decompressPart10(part10: Buffer): Promise<Buffer> {
  const parsed = await parseInstanceFile({ read: async (buffer, offset, length, position) => part10.copy(buffer, offset, position, position + length) }, part10.length, () => 'x');
  const index = parsed.frames;
  if (!index || index.kind !== 'encapsulated' || !decodable(parsed.transferSyntaxUID)) throw new CodecError(`instance in ${parsed.transferSyntaxUID} has no encapsulated pixel data this server decodes`);
  const set = dicomParser.parseDicom(part10, { untilTag: 'x7fe00010' });
  const meta = set.elements.x00020000;
  const pixel = set.elements.x7fe00010;
  if (!meta || !pixel || !parsed.sopClassUID || !parsed.sopInstanceUID) throw new CodecError('no file meta group length, pixel data or SOP UIDs');
  const layout = pixelLayout(parsed.json);
  checkDecodedInstance(layout, index.frames.length);
  const frames: Buffer[] = [];
  let photometric = layout.photometric;
  for (const fragments of index.frames) {
    const decoded = await decodeFrameOffThread(parsed.transferSyntaxUID, Buffer.concat(fragments.map(([offset, length]) => part10.subarray(offset, offset + length))), layout);
    frames.push(decoded.pixels);
    photometric = decoded.photometric;
  }
  const dataSetStart = meta.dataOffset + 4 + part10.readUInt32LE(meta.dataOffset);
  // Explicit VR: OB/OW with undefined length have a 12-byte element header.
  const pixelStart = pixel.dataOffset - 12;
  let header = part10.subarray(dataSetStart, pixelStart);
  const stored = set.elements.x00280004;
  if (stored && photometric !== layout.photometric) {
    const value = Buffer.from(photometric.length % 2 ? `${photometric} ` : photometric, 'latin1');
    const length = Buffer.alloc(2);
    length.writeUInt16LE(value.length);
    const start = stored.dataOffset - dataSetStart;
    header = Buffer.concat([header.subarray(0, start - 2), length, value, header.subarray(start + stored.length)]);
  }
  const pixels = Buffer.concat(frames);
  const pad = pixels.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0);
  const element = Buffer.alloc(12);
  element.writeUInt16LE(0x7fe0, 0);
  element.writeUInt16LE(0x0010, 2);
  element.write(layout.bitsAllocated > 8 ? 'OW' : 'OB', 4, 'latin1');
  element.writeUInt32LE(pixels.length + pad.length, 8);
  const fileMeta = fileMetaHeader({ sopClassUid: parsed.sopClassUID, sopInstanceUid: parsed.sopInstanceUID, transferSyntaxUid: EXPLICIT_LE });
  return Buffer.concat([fileMeta, header, element, pixels, pad]);
}
