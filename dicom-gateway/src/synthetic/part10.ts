import { createHash } from 'node:crypto';
import dcmjs from 'dcmjs';

/**
 * Part 10 writing with dcmjs — an independent DICOM writer, so that data made here exercises the
 * gateway's own parser rather than agreeing with it by construction.
 */

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.9.7433.1.1';

/**
 * A Part 10 file of a naturalized dataset (keyword → value, as dcmjs names them); the file meta
 * information follows from its SOPClassUID and SOPInstanceUID.
 */
export function writePart10(dataset: Record<string, unknown>, transferSyntaxUid = EXPLICIT_VR_LITTLE_ENDIAN): Buffer {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
  };
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

/**
 * The same instance with some attributes set (keyword → value) and the rest — private tags and pixel
 * data in its own transfer syntax included — kept as read: how sample files are given to a patient.
 */
export function rewritePart10(file: Buffer, changes: Record<string, unknown>): Buffer {
  const { DicomMessage, DicomMetaDictionary, DicomDict } = dcmjs.data;
  const parsed = DicomMessage.readFile(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
  // Only the changed attributes go through dcmjs' keyword mapping: private and unknown tags stay as read.
  const dataset = { ...parsed.dict, ...DicomMetaDictionary.denaturalizeDataset(changes) };
  const meta = { ...parsed.meta };
  if (typeof changes.SOPInstanceUID === 'string') meta['00020003'] = { vr: 'UI', Value: [changes.SOPInstanceUID] };
  const dict = new DicomDict(meta);
  dict.dict = dataset;
  return Buffer.from(dict.write());
}

/** A `2.25.` UID (PS3.5 B.2) from the first 128 bits of SHA-256 of `name`: the same name, the same UID. */
export function uidFromName(name: string): string {
  return `2.25.${BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 32)}`)}`;
}

/** The image pixel module of unsigned 16-bit greyscale, as every synthetic CT and MR here writes it. */
export const MONOCHROME_16BIT = Object.freeze({
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  BitsAllocated: 16,
  BitsStored: 16,
  HighBit: 15,
  PixelRepresentation: 0,
});
