import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { decodePersonNames, decodeText, type PersonName, type SpecificCharacterSet } from '../charset/index.js';
import { EXPLICIT_BE } from '../dicom/transfer-syntax.js';
import { issuerSystem } from '../fhir/imaging-study.js';
import { leadByDicomCode, type EcgLead } from './leads.js';

/** The ECG waveform storage SOP classes (PS3.4 B.5): 12-lead and General ECG. */
export const ECG_SOP_CLASSES: Readonly<Record<string, string>> = {
  '1.2.840.10008.5.1.4.1.1.9.1.1': '12-lead ECG',
  '1.2.840.10008.5.1.4.1.1.9.1.2': 'General ECG',
};

export function isEcgSopClass(uid: string | undefined): boolean {
  return uid !== undefined && Object.hasOwn(ECG_SOP_CLASSES, uid);
}

export interface DicomCode {
  code: string;
  scheme: string;
  meaning?: string;
}

export interface WaveformChannel {
  source: DicomCode | undefined;
  /** The lead its source code names, when it is one. */
  lead: EcgLead | undefined;
  /** Channel Sensitivity: the physical value of one sample unit, in `unit`; absent = uncalibrated. */
  sensitivity: number | undefined;
  unit: string | undefined;
  correction: number;
  baseline: number;
  /** Samples as stored (integers), before sensitivity, correction and baseline. */
  samples: Int32Array;
}

/** One multiplex group of the Waveform Sequence (a rhythm strip, a median beat). */
export interface WaveformGroup {
  label: string | undefined;
  originality: string | undefined;
  samplingFrequency: number;
  sampleCount: number;
  bitsAllocated: number;
  interpretation: string;
  channels: WaveformChannel[];
}

export interface WaveformAnnotation {
  text?: string;
  concept?: DicomCode;
  /** A coded value (Concept Code Sequence). */
  value?: DicomCode;
  numeric?: number;
  unit?: string;
  group?: number;
  channels?: number[];
}

export interface DecodedWaveform {
  sopClassUID: string;
  sopInstanceUID: string;
  studyInstanceUID: string | undefined;
  seriesInstanceUID: string | undefined;
  accessionNumber: string | undefined;
  /** DICOM DT/DA+TM as written (no zone): Acquisition DateTime, else Content or Study Date + Time. */
  acquired: string | undefined;
  /** `identifiers`: Patient ID under its issuer's system, exactly as ImagingStudy sync writes the Patient. */
  patient: { id?: string; issuer?: string; identifiers: { system: string; value: string }[]; names: PersonName[]; birthDate?: string; sex?: string };
  institution: string | undefined;
  groups: WaveformGroup[];
  annotations: WaveformAnnotation[];
}

export interface WaveformIssue {
  id: string;
  zh: string;
  en: string;
  /** Where: a DICOM tag path such as `WaveformSequence[0].WaveformData`. */
  expression: string;
  /** 400 malformed, 415 not an ECG, 422 readable but unusable. */
  status: 400 | 415 | 422;
}

export class WaveformError extends Error {
  constructor(readonly issue: WaveformIssue) {
    super(issue.en);
  }
}

function fail(status: WaveformIssue['status'], id: string, zh: string, en: string, expression: string): never {
  throw new WaveformError({ status, id, zh, en, expression });
}

const str = (ds: DataSet, tag: string): string | undefined => {
  const v = ds.string(tag)?.trim();
  return v ? v : undefined;
};

function number(ds: DataSet, tag: string): number | undefined {
  const v = str(ds, tag)?.split('\\')[0];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function text(ds: DataSet, tag: string, scs: SpecificCharacterSet): string | undefined {
  const el = ds.elements[tag];
  if (!el || !el.length) return undefined;
  const v = decodeText(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length), scs).replace(/[\0 ]+$/, '').trim();
  return v || undefined;
}

function code(item: DataSet | undefined): DicomCode | undefined {
  if (!item) return undefined;
  const value = str(item, 'x00080100');
  const scheme = str(item, 'x00080102');
  if (!value || !scheme) return undefined;
  const meaning = str(item, 'x00080104');
  return { code: value, scheme, ...(meaning ? { meaning } : {}) };
}

const firstItem = (ds: DataSet, tag: string): DataSet | undefined => ds.elements[tag]?.items?.[0]?.dataSet;

function uint16s(ds: DataSet, tag: string): number[] | undefined {
  const el = ds.elements[tag];
  if (!el || !el.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < el.length / 2; i++) out.push(ds.uint16(tag, i) as number);
  return out;
}

/**
 * Decodes an ECG waveform instance (Part 10 bytes): the Waveform Sequence's multiplex groups,
 * their channels de-interleaved from Waveform Data, and the Waveform Annotation Sequence.
 * Refuses what is not an ECG waveform or does not hold what it declares.
 */
export function decodeWaveform(bytes: Uint8Array): DecodedWaveform {
  let ds: DataSet;
  try {
    ds = dicomParser.parseDicom(bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    fail(400, 'ECG-DCM-001', `不是可读的 DICOM 文件（${why}）`, `not a readable DICOM file (${why})`, 'DICOM');
  }
  const sopClassUID = str(ds, 'x00080016') ?? str(ds, 'x00020002');
  if (!isEcgSopClass(sopClassUID)) {
    fail(415, 'ECG-DCM-002', `SOP 类 ${sopClassUID ?? '（缺失）'} 不是心电波形（12 导联或通用心电）`, `SOP class ${sopClassUID ?? '(missing)'} is not an ECG waveform (12-lead or General ECG)`, 'SOPClassUID');
  }
  const sopInstanceUID = str(ds, 'x00080018');
  if (!sopInstanceUID || !/^[0-9.]{1,64}$/.test(sopInstanceUID)) fail(400, 'ECG-DCM-003', 'SOP 实例 UID 缺失或无效', 'SOP Instance UID missing or invalid', 'SOPInstanceUID');
  const bigEndian = str(ds, 'x00020010') === EXPLICIT_BE;
  const scs = ds.string('x00080005')?.split('\\');
  const sequence = ds.elements['x54000100']?.items ?? [];
  if (sequence.length === 0) fail(422, 'ECG-DCM-004', '没有波形序列（5400,0100）', 'no Waveform Sequence (5400,0100)', 'WaveformSequence');
  const groups = sequence.map((item, g) => decodeGroup(item.dataSet as DataSet, g, bigEndian));
  const patientNames = ds.elements['x00100010'];
  const date = str(ds, 'x00080023') ?? str(ds, 'x00080020');
  const time = str(ds, 'x00080033') ?? str(ds, 'x00080030');
  const birthDate = str(ds, 'x00100030');
  const sex = str(ds, 'x00100040');
  const id = text(ds, 'x00100020', scs);
  const issuer = text(ds, 'x00100021', scs);
  return {
    sopClassUID: sopClassUID as string,
    sopInstanceUID,
    studyInstanceUID: str(ds, 'x0020000d'),
    seriesInstanceUID: str(ds, 'x0020000e'),
    accessionNumber: text(ds, 'x00080050', scs),
    acquired: str(ds, 'x0008002a') ?? (date ? `${date}${time ?? ''}` : undefined),
    patient: {
      ...(id ? { id } : {}),
      ...(issuer ? { issuer } : {}),
      identifiers: id ? [{ system: issuerSystem(issuer), value: id }] : [],
      names: patientNames?.length ? decodePersonNames(ds.byteArray.subarray(patientNames.dataOffset, patientNames.dataOffset + patientNames.length), scs) : [],
      ...(birthDate ? { birthDate } : {}),
      ...(sex ? { sex } : {}),
    },
    institution: text(ds, 'x00080080', scs),
    groups,
    annotations: (ds.elements['x0040b020']?.items ?? []).map((item) => annotation(item.dataSet as DataSet, scs)),
  };
}

function decodeGroup(ds: DataSet, g: number, bigEndian: boolean): WaveformGroup {
  const where = `WaveformSequence[${g}]`;
  const channelCount = ds.uint16('x003a0005');
  const sampleCount = ds.uint32('x003a0010');
  const samplingFrequency = number(ds, 'x003a001a');
  const bitsAllocated = ds.uint16('x54001004');
  const interpretation = str(ds, 'x54001006');
  if (!channelCount) fail(422, 'ECG-DCM-005', `${where} 缺少通道数（003A,0005）`, `${where} has no Number of Waveform Channels (003A,0005)`, `${where}.NumberOfWaveformChannels`);
  if (!sampleCount) fail(422, 'ECG-DCM-005', `${where} 缺少采样点数（003A,0010）`, `${where} has no Number of Waveform Samples (003A,0010)`, `${where}.NumberOfWaveformSamples`);
  if (!samplingFrequency || samplingFrequency <= 0) fail(422, 'ECG-DCM-005', `${where} 缺少有效的采样频率（003A,001A）`, `${where} has no valid Sampling Frequency (003A,001A)`, `${where}.SamplingFrequency`);
  const signed = interpretation === 'SS' || interpretation === 'SB';
  const width = bitsAllocated === 16 && (interpretation === 'SS' || interpretation === 'US') ? 2 : bitsAllocated === 8 && (interpretation === 'SB' || interpretation === 'UB') ? 1 : 0;
  if (!width) fail(422, 'ECG-DCM-006', `${where} 的样本格式不受支持（位数 ${bitsAllocated ?? '?'}，解释 ${interpretation ?? '?'}）`, `${where} has an unsupported sample format (bits ${bitsAllocated ?? '?'}, interpretation ${interpretation ?? '?'})`, `${where}.WaveformBitsAllocated`);
  const data: Element | undefined = ds.elements['x54001010'];
  const needed = channelCount * sampleCount * width;
  if (!data || data.length < needed) {
    fail(400, 'ECG-DCM-007', `${where} 的波形数据被截断：应有 ${needed} 字节，实有 ${data?.length ?? 0} 字节`, `${where} Waveform Data is truncated: ${needed} bytes expected, ${data?.length ?? 0} present`, `${where}.WaveformData`);
  }
  const definitions = ds.elements['x003a0200']?.items ?? [];
  if (definitions.length !== channelCount) {
    fail(422, 'ECG-DCM-008', `${where} 声明 ${channelCount} 个通道，但通道定义序列有 ${definitions.length} 项`, `${where} declares ${channelCount} channels but its Channel Definition Sequence has ${definitions.length} items`, `${where}.ChannelDefinitionSequence`);
  }
  const view = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + data.dataOffset, needed);
  const channels: WaveformChannel[] = definitions.map((item, c) => {
    const def = item.dataSet as DataSet;
    const source = code(firstItem(def, 'x003a0208'));
    const samples = new Int32Array(sampleCount);
    // Waveform Data is interleaved: sample s of channel c at (s × channels + c) × width.
    for (let s = 0, at = c * width, step = channelCount * width; s < sampleCount; s++, at += step) {
      samples[s] = width === 2 ? (signed ? view.getInt16(at, !bigEndian) : view.getUint16(at, !bigEndian)) : signed ? view.getInt8(at) : view.getUint8(at);
    }
    const unit = code(firstItem(def, 'x003a0211'))?.code;
    const sensitivity = number(def, 'x003a0210');
    return {
      source,
      lead: source ? leadByDicomCode(source.scheme, source.code) : undefined,
      sensitivity,
      unit,
      correction: number(def, 'x003a0212') ?? 1,
      baseline: number(def, 'x003a0213') ?? 0,
      samples,
    };
  });
  return { label: str(ds, 'x003a0020'), originality: str(ds, 'x003a0004'), samplingFrequency, sampleCount, bitsAllocated: bitsAllocated as number, interpretation: interpretation as string, channels };
}

function annotation(ds: DataSet, scs: SpecificCharacterSet): WaveformAnnotation {
  const t = text(ds, 'x00700006', scs);
  const concept = code(firstItem(ds, 'x0040a043'));
  const value = code(firstItem(ds, 'x0040a168'));
  const numeric = number(ds, 'x0040a30a');
  const unit = code(firstItem(ds, 'x004008ea'))?.code;
  const group = ds.elements['x0040a180'] ? ds.uint16('x0040a180') : undefined;
  const channels = uint16s(ds, 'x0040a0b0');
  return {
    ...(t ? { text: t } : {}),
    ...(concept ? { concept } : {}),
    ...(value ? { value } : {}),
    ...(numeric !== undefined ? { numeric } : {}),
    ...(unit ? { unit } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(channels ? { channels } : {}),
  };
}
