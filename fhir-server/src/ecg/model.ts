import type { EcgLead } from '@qiao/dicom-gateway';

/** One lead's samples: value (µV) = origin + factor × sample, as FHIR SampledData states it. */
export interface LeadTrace {
  lead: EcgLead;
  /** µV at sample value 0. */
  origin: number;
  /** µV per sample unit. */
  factor: number;
  samples: ArrayLike<number>;
}

export type MeasureKey = 'hr' | 'rr' | 'pr' | 'qrs' | 'qt' | 'qtc' | 'pAxis' | 'qrsAxis' | 'tAxis';

export interface Identifier {
  system: string;
  value: string;
}

/** A resting ECG as both formats yield it, before it becomes FHIR resources. */
export interface EcgRecording {
  format: 'dicom' | 'aecg';
  /** The recording's own identity (SOP Instance UID, aECG id): the key of an idempotent import. */
  uid: Identifier;
  /** FHIR dateTime of the acquisition, when the file says. */
  effective?: string;
  patient: { identifiers: Identifier[]; family?: string; given?: string; text?: string; birthDate?: string; gender?: 'male' | 'female' | 'other' | 'unknown' };
  accession?: string;
  samplingHz: number;
  sampleCount: number;
  leads: LeadTrace[];
  /** Measurements the file carries (its device's or reader's). */
  read: Partial<Record<MeasureKey, number>>;
  /** Statements the file carries as text or codes (device interpretation), kept as they are. */
  statements: string[];
}

/** A measurement's codes: LOINC first, MDC (ISO/IEEE 11073-10101 reference id) second. */
export interface MeasureDefinition {
  key: MeasureKey;
  loinc: string;
  display: string;
  zh: string;
  mdc: string;
  unit: 'ms' | 'deg' | '/min';
  /** SCP-ECG concept codes of DICOM Waveform Annotations carrying it. */
  scpecg: readonly string[];
}

/**
 * The measurements of a resting ECG report. LOINC codes: 8867-4 heart rate, 8625-6 P-R interval,
 * 8633-0 QRS duration, 8634-8 Q-T interval, 8636-3 Q-T interval corrected, 8626-4 P wave axis,
 * 8632-2 QRS axis, 8638-9 T wave axis; the RR interval (MDC only) is kept as HR's source, not reported.
 */
export const MEASURES: readonly MeasureDefinition[] = [
  { key: 'hr', loinc: '8867-4', display: 'Heart rate', zh: '心率', mdc: 'MDC_ECG_HEART_RATE', unit: '/min', scpecg: [] },
  { key: 'pr', loinc: '8625-6', display: 'P-R Interval', zh: 'PR 间期', mdc: 'MDC_ECG_TIME_PD_PR', unit: 'ms', scpecg: ['5.13.5-7'] },
  { key: 'qrs', loinc: '8633-0', display: 'QRS duration', zh: 'QRS 时限', mdc: 'MDC_ECG_TIME_PD_QRS', unit: 'ms', scpecg: ['5.13.5-9'] },
  { key: 'qt', loinc: '8634-8', display: 'Q-T interval', zh: 'QT 间期', mdc: 'MDC_ECG_TIME_PD_QT', unit: 'ms', scpecg: ['5.13.5-11'] },
  { key: 'qtc', loinc: '8636-3', display: 'Q-T interval corrected', zh: 'QTc 间期', mdc: 'MDC_ECG_TIME_PD_QTc', unit: 'ms', scpecg: ['5.10.2.5-5'] },
  { key: 'pAxis', loinc: '8626-4', display: 'P wave axis', zh: 'P 波电轴', mdc: 'MDC_ECG_ANGLE_P_FRONT', unit: 'deg', scpecg: ['5.10.3-11'] },
  { key: 'qrsAxis', loinc: '8632-2', display: 'QRS axis', zh: 'QRS 电轴', mdc: 'MDC_ECG_ANGLE_QRS_FRONT', unit: 'deg', scpecg: ['5.10.3-13'] },
  { key: 'tAxis', loinc: '8638-9', display: 'T wave axis', zh: 'T 波电轴', mdc: 'MDC_ECG_ANGLE_T_FRONT', unit: 'deg', scpecg: ['5.10.3-15'] },
];

/** Where the RR interval comes from in each format (HR is derived from it when the file has no HR). */
export const RR_SOURCES = { mdc: 'MDC_ECG_TIME_PD_RR', scpecg: ['5.10.2.1-3'] } as const;

/** The median of the values (annotations per beat agree or scatter; the median is what a report prints). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
