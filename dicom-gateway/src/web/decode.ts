import { checkDecodedInstance, CodecError, pixelLayout, type DecodedFrame, type PixelLayout } from '../codec/index.js';
import { decodeFrameOffThread } from '../codec/pool.js';
import { decompressPart10 } from '../codec/part10.js';
import type { DicomJson } from '../dicom/json.js';
import type { InstanceRecord } from '../store/store.js';
import type { DicomwebOptions } from './context.js';
import { DicomwebError } from './errors.js';

/** The stored DICOM JSON of one instance (what its pixel layout and rendering are read from). */
export async function instanceJson(options: DicomwebOptions, instance: InstanceRecord): Promise<DicomJson> {
  const text = await options.store.metadataArray({ study: instance.studyInstanceUID, series: instance.seriesInstanceUID, sop: instance.sopInstanceUID });
  return (JSON.parse(text ?? '[{}]') as DicomJson[])[0] ?? {};
}

export async function instanceLayout(options: DicomwebOptions, instance: InstanceRecord): Promise<PixelLayout> {
  return pixelLayout(await instanceJson(options, instance));
}

/** An encapsulated frame decoded; a frame that cannot be is a 406 saying why (the stored syntax may still be asked for). */
export function decoded(instance: InstanceRecord, data: Buffer, layout: PixelLayout): Promise<DecodedFrame> {
  return orNotAcceptable(instance, decodeFrameOffThread(instance.transferSyntax, data, layout));
}

/** A stored compressed instance as explicit VR little endian, or a 406 saying why it cannot be. */
export async function decompressedInstance(options: DicomwebOptions, instance: InstanceRecord): Promise<Buffer> {
  return orNotAcceptable(instance, decompressPart10(await options.store.blobs.read(instance.storageKey, 0, instance.size)));
}

/** `checkDecodedInstance`, its refusal a 406 (before any frame is read or decoded). */
export function checkedInstance(instance: InstanceRecord, layout: PixelLayout, frames: number): void {
  try {
    checkDecodedInstance(layout, frames);
  } catch (error) {
    throw error instanceof CodecError ? undecodable(instance, error) : error;
  }
}

async function orNotAcceptable<T>(instance: InstanceRecord, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof CodecError ? undecodable(instance, error) : error;
  }
}

function undecodable(instance: InstanceRecord, error: CodecError): DicomwebError {
  return new DicomwebError(406, 'DICOMWEB-DECODE', {
    zh: `实例 ${instance.sopInstanceUID}（存储为 ${instance.transferSyntax}）无法解压：${error.message}`,
    en: `instance ${instance.sopInstanceUID} (stored as ${instance.transferSyntax}) cannot be decompressed: ${error.message}`,
  });
}
