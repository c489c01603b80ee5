import { MEASURES, median, type EcgRecording, type LeadTrace, type MeasureDefinition } from './model.js';

/** How a reported value was obtained: shown on the Observation (method) so a reader knows what the machine did. */
export type MeasureSource = 'read' | 'from-rr' | 'r-peaks' | 'bazett';

export interface Measurement {
  definition: MeasureDefinition;
  value: number;
  source: MeasureSource;
}

/**
 * The report's measurements. What the file carries is used as it is. Otherwise only heart rate is
 * computed (from the file's RR interval, else from R peaks detected on lead II), and QTc by Bazett
 * (QT / √RR) when the file has QT but no QTc. PR, QRS, QT and the axes need wave boundaries this
 * server does not delineate: absent from the file, they are absent from the report.
 */
export function measurements(recording: EcgRecording): Measurement[] {
  const out: Measurement[] = [];
  const read = recording.read;
  let rrMs = read.rr;
  for (const definition of MEASURES) {
    const value = read[definition.key];
    if (value !== undefined) out.push({ definition, value, source: 'read' });
  }
  const hrDefinition = MEASURES.find((m) => m.key === 'hr') as MeasureDefinition;
  if (read.hr === undefined) {
    if (rrMs !== undefined && rrMs > 0) out.unshift({ definition: hrDefinition, value: round(60000 / rrMs), source: 'from-rr' });
    else {
      const lead = recording.leads.find((l) => l.lead.name === 'II') ?? recording.leads[0];
      const hr = lead ? heartRate(lead, recording.samplingHz) : undefined;
      if (hr !== undefined) {
        out.unshift({ definition: hrDefinition, value: round(hr), source: 'r-peaks' });
        rrMs = 60000 / hr;
      }
    }
  }
  if (read.qtc === undefined && read.qt !== undefined && rrMs !== undefined && rrMs > 0) {
    out.push({ definition: MEASURES.find((m) => m.key === 'qtc') as MeasureDefinition, value: Math.round(read.qt / Math.sqrt(rrMs / 1000)), source: 'bazett' });
  }
  return out;
}

const round = (v: number): number => Math.round(v * 10) / 10;

/**
 * Heart rate (beats per minute) from R peaks on one lead, or undefined when fewer than three beats
 * are found or the intervals are too irregular to call one rate.
 */
export function heartRate(trace: LeadTrace, samplingHz: number): number | undefined {
  const peaks = detectRPeaks(trace, samplingHz);
  if (peaks.length < 3) return undefined;
  const intervals = peaks.slice(1).map((p, i) => (p - (peaks[i] as number)) / samplingHz);
  const rr = median(intervals) as number;
  // Beyond ±50 % of the median, the rhythm is not one rate (or detection failed): say nothing.
  if (intervals.some((v) => v < rr * 0.5 || v > rr * 1.5)) return undefined;
  return 60 / rr;
}

/**
 * A Pan–Tompkins-style QRS detector: first difference (removes baseline wander, stresses the
 * steep QRS slopes), squaring, a 150 ms moving-window integral, then peaks of the integral above
 * a third of its 99th percentile with a 250 ms refractory period; each beat's R peak is the
 * largest deviation from the median in the window ending at the integral's peak.
 */
export function detectRPeaks(trace: LeadTrace, samplingHz: number): number[] {
  const x = trace.samples;
  const n = x.length;
  if (n < samplingHz) return [];
  const energy = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) {
    const d = ((x[i + 1] as number) - (x[i - 1] as number)) * trace.factor;
    energy[i] = d * d;
  }
  const window = Math.max(1, Math.round(0.15 * samplingHz));
  const integral = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += energy[i] as number;
    if (i >= window) sum -= energy[i - window] as number;
    integral[i] = sum / window;
  }
  const sorted = Float64Array.from(integral).sort();
  const threshold = (sorted[Math.floor(0.99 * (n - 1))] as number) / 3;
  if (!(threshold > 0)) return [];
  const refractory = Math.round(0.25 * samplingHz);
  const level = median(Array.from(x, Number)) as number;
  const peaks: number[] = [];
  let i = 0;
  while (i < n) {
    if ((integral[i] as number) <= threshold) {
      i++;
      continue;
    }
    let top = i;
    while (i < n && (integral[i] as number) > threshold) {
      if ((integral[i] as number) > (integral[top] as number)) top = i;
      i++;
    }
    let r = top;
    for (let k = Math.max(0, top - window); k <= top; k++) if (Math.abs((x[k] as number) - level) > Math.abs((x[r] as number) - level)) r = k;
    if (peaks.length === 0 || r - (peaks[peaks.length - 1] as number) >= refractory) peaks.push(r);
    else if (Math.abs((x[r] as number) - level) > Math.abs((x[peaks[peaks.length - 1] as number] as number) - level)) peaks[peaks.length - 1] = r;
  }
  return peaks;
}
