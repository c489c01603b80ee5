// dcmjs ships no typings: the gateway's declaration, for compilations (fhir-server's tests) that reach this file from outside.
/// <reference path="../../src/synthetic/dcmjs.d.ts" />
import { MONOCHROME_16BIT, writePart10 } from '../../src/synthetic/index.js';

/**
 * Writes a Part 10 instance with dcmjs (an independent DICOM writer), for shapes the sample files
 * do not cover: many frames, chosen UIDs, Chinese names. Pixel value of frame f, pixel i: (f × 1000 + i) mod 65536.
 */
export interface SynthOptions {
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  frames?: number;
  rows?: number;
  columns?: number;
  patientName?: string;
  patientId?: string;
  accession?: string;
  studyDate?: string;
  modality?: string;
  instanceNumber?: number;
  /** Extra attributes, naturalized (keyword → value). */
  extra?: Record<string, unknown>;
}

export function synthInstance(o: SynthOptions): Buffer {
  const frames = o.frames ?? 1;
  const rows = o.rows ?? 8;
  const columns = o.columns ?? 8;
  const pixels = new Uint16Array(frames * rows * columns);
  for (let f = 0; f < frames; f++) for (let i = 0; i < rows * columns; i++) pixels[f * rows * columns + i] = (f * 1000 + i) % 65536;
  const sopClass = frames > 1 ? '1.2.840.10008.5.1.4.1.1.2.1' : '1.2.840.10008.5.1.4.1.1.2';
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClass,
    SOPInstanceUID: o.sopUid,
    StudyInstanceUID: o.studyUid,
    SeriesInstanceUID: o.seriesUid,
    PatientName: o.patientName ?? 'Test^Patient',
    PatientID: o.patientId ?? 'P-1',
    AccessionNumber: o.accession ?? '',
    StudyDate: o.studyDate ?? '20240105',
    StudyTime: '101500',
    Modality: o.modality ?? 'CT',
    SeriesNumber: '1',
    InstanceNumber: String(o.instanceNumber ?? 1),
    Rows: rows,
    Columns: columns,
    ...MONOCHROME_16BIT,
    WindowCenter: '100',
    WindowWidth: '200',
    ...(frames > 1 ? { NumberOfFrames: String(frames) } : {}),
    ...o.extra,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
  return writePart10(dataset);
}
