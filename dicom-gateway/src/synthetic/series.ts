import { MONOCHROME_16BIT, writePart10 } from './part10.js';
import { ctPhantom, mrPhantom } from './phantom.js';

/** An axial CT or MR series of phantom slices, one single-frame instance per slice. */
export interface SyntheticSeriesOptions {
  modality: 'CT' | 'MR';
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** SOP Instance UID of slice `index` (0-based). */
  sopInstanceUid: (index: number) => string;
  slices: number;
  rows: number;
  columns: number;
  /** Millimetres between slices (also the slice thickness). */
  spacing?: number;
  /** Patient, study and series attributes (naturalized keyword → value), added to every slice. */
  attributes?: Record<string, unknown>;
}

export interface SyntheticInstance {
  sopInstanceUid: string;
  data: Buffer;
}

const SOP_CLASS = { CT: '1.2.840.10008.5.1.4.1.1.2', MR: '1.2.840.10008.5.1.4.1.1.4' } as const;

/** The slices one at a time, so a long series never sits in memory whole. */
export function* syntheticSeries(o: SyntheticSeriesOptions): Generator<SyntheticInstance> {
  const spacing = o.spacing ?? (o.modality === 'CT' ? 2.5 : 5);
  const pixelSpacing = (o.modality === 'CT' ? 400 : 230) / o.columns;
  const grey =
    o.modality === 'CT'
      ? { RescaleIntercept: '-1024', RescaleSlope: '1', RescaleType: 'HU', WindowCenter: ['40', '-600'], WindowWidth: ['400', '1500'], WindowCenterWidthExplanation: ['SOFT TISSUE', 'LUNG'] }
      : { WindowCenter: '500', WindowWidth: '1000', MagneticFieldStrength: '1.5', EchoTime: '12', RepetitionTime: '500', ScanningSequence: 'SE' };
  for (let index = 0; index < o.slices; index++) {
    const sopInstanceUid = o.sopInstanceUid(index);
    const phantom = { first: index, frames: 1, rows: o.rows, columns: o.columns, volume: o.slices };
    const pixels = o.modality === 'CT' ? ctPhantom(phantom) : mrPhantom(phantom);
    const z = -index * spacing;
    const data = writePart10({
      SpecificCharacterSet: 'ISO_IR 192',
      SOPClassUID: SOP_CLASS[o.modality],
      SOPInstanceUID: sopInstanceUid,
      StudyInstanceUID: o.studyInstanceUid,
      SeriesInstanceUID: o.seriesInstanceUid,
      Modality: o.modality,
      SeriesNumber: '1',
      InstanceNumber: String(index + 1),
      ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      ImagePositionPatient: [-(pixelSpacing * o.columns) / 2, -(pixelSpacing * o.rows) / 2, z],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      SliceLocation: String(z),
      SliceThickness: String(spacing),
      PixelSpacing: [pixelSpacing, pixelSpacing],
      Rows: o.rows,
      Columns: o.columns,
      ...MONOCHROME_16BIT,
      ...grey,
      ...o.attributes,
      PixelData: [pixels.buffer],
      _vrMap: { PixelData: 'OW' },
    });
    yield { sopInstanceUid, data };
  }
}
