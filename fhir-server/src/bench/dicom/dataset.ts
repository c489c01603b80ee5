/**
 * The DICOM benchmark's data, written once per run into a temporary directory: CT series of 512×512
 * 16-bit slices (the gateway's synthetic chest phantom, deterministic noise) and one 100-frame instance of the
 * same pixels, all explicit VR little endian. Every byte follows from the series' name, so two runs
 * store identical files. Each timed STOW and C-STORE run gets a series (and study) of its own, so
 * no run is answered as a duplicate of an earlier one.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ctPhantom, MONOCHROME_16BIT, uidFromName, writePart10 } from '@qiao/dicom-gateway';

export const ROWS = 512;
export const COLUMNS = 512;
export const SLICES = 100;
export const FRAMES = 100;

export interface SeriesFiles {
  studyUid: string;
  seriesUid: string;
  sopUids: string[];
  files: string[];
  bytes: number;
}

export interface Dataset {
  dir: string;
  /** Stored untimed first, so that no server is measured cold. */
  warmup: SeriesFiles;
  /** One per timed STOW-RS run; the first is also the series read back by every read measurement. */
  stow: SeriesFiles[];
  /** One per timed C-STORE run. */
  cstore: SeriesFiles[];
  /** The single 100-frame instance, stored untimed. */
  multiframe: SeriesFiles;
}

const RUNS = 3;
const WARMUP_SLICES = 10;

export async function writeDataset(dir: string): Promise<Dataset> {
  await mkdir(dir, { recursive: true });
  const series = (name: string, slices: number) => writeSeries(dir, name, slices);
  const warmup = await series('warmup', WARMUP_SLICES);
  const stow: SeriesFiles[] = [];
  const cstore: SeriesFiles[] = [];
  for (let r = 1; r <= RUNS; r++) stow.push(await series(`stow-${r}`, SLICES));
  for (let r = 1; r <= RUNS; r++) cstore.push(await series(`cstore-${r}`, SLICES));
  const multiframe = await writeMultiframe(dir);
  return { dir, warmup, stow, cstore, multiframe };
}

function uid(name: string): string {
  return uidFromName(`qiao-bench-dicom/${name}`);
}

async function writeSeries(dir: string, name: string, slices: number): Promise<SeriesFiles> {
  const studyUid = uid(`${name}/study`);
  const seriesUid = uid(`${name}/series`);
  const out: SeriesFiles = { studyUid, seriesUid, sopUids: [], files: [], bytes: 0 };
  await mkdir(path.join(dir, name), { recursive: true });
  for (let s = 0; s < slices; s++) {
    const sopUid = uid(`${name}/instance/${s}`);
    const data = writePart10({
      ...common(name, studyUid, seriesUid),
      SOPClassUID: CT_IMAGE,
      SOPInstanceUID: sopUid,
      InstanceNumber: String(s + 1),
      ImagePositionPatient: [-250, -250, -s * 2.5],
      SliceLocation: String(-s * 2.5),
      PixelData: [phantom(s, 1).buffer],
    });
    const file = path.join(dir, name, `${String(s + 1).padStart(3, '0')}.dcm`);
    await writeFile(file, data);
    out.sopUids.push(sopUid);
    out.files.push(file);
    out.bytes += data.length;
  }
  return out;
}

async function writeMultiframe(dir: string): Promise<SeriesFiles> {
  const name = 'multiframe';
  const studyUid = uid(`${name}/study`);
  const seriesUid = uid(`${name}/series`);
  const sopUid = uid(`${name}/instance`);
  const data = writePart10({
    ...common(name, studyUid, seriesUid),
    SOPClassUID: ENHANCED_CT,
    SOPInstanceUID: sopUid,
    InstanceNumber: '1',
    NumberOfFrames: String(FRAMES),
    PixelData: [phantom(0, FRAMES).buffer],
  });
  const file = path.join(dir, `${name}.dcm`);
  await writeFile(file, data);
  return { studyUid, seriesUid, sopUids: [sopUid], files: [file], bytes: data.length };
}

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const ENHANCED_CT = '1.2.840.10008.5.1.4.1.1.2.1';

function common(name: string, studyUid: string, seriesUid: string): Record<string, unknown> {
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    StudyInstanceUID: studyUid,
    SeriesInstanceUID: seriesUid,
    PatientName: 'Bench^Phantom=测试^体模',
    PatientID: 'BENCH-1',
    PatientBirthDate: '19700101',
    PatientSex: 'O',
    AccessionNumber: `B-${name}`.slice(0, 16),
    StudyID: name.slice(0, 16),
    StudyDate: '20261206',
    StudyTime: '080000',
    StudyDescription: `Benchmark ${name}`,
    SeriesDescription: `Phantom ${name}`,
    Modality: 'CT',
    SeriesNumber: '1',
    ReferringPhysicianName: '',
    Manufacturer: 'Qiao benchmark',
    SliceThickness: '2.5',
    PixelSpacing: [0.9765625, 0.9765625],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    Rows: ROWS,
    Columns: COLUMNS,
    ...MONOCHROME_16BIT,
    RescaleIntercept: '-1024',
    RescaleSlope: '1',
    WindowCenter: '40',
    WindowWidth: '400',
    _vrMap: { PixelData: 'OW' },
  };
}

/** `frames` consecutive slices of the gateway's CT phantom from `first` (stored values, intercept −1024). */
function phantom(first: number, frames: number): Uint16Array {
  return ctPhantom({ first, frames, rows: ROWS, columns: COLUMNS, volume: SLICES });
}
