/** The leads of an ECG waveform Observation (docs/ecg.md): one `component` per lead, in microvolts. */
import type { Observation } from '@medplum/fhirtypes';

export interface Lead {
  /** I, II, III, aVR, aVL, aVF, V1…V6 (also V7…, V2R…). */
  name: string;
  microvolts: Float32Array;
  /** Milliseconds between samples. */
  periodMs: number;
}

const MDC = 'urn:iso:std:iso:11073:10101';
/** MDC code − 131328 → lead name, for a component without `code.text`. */
const MDC_LEADS: Record<number, string> = { 1: 'I', 2: 'II', 3: 'V1', 4: 'V2', 5: 'V3', 6: 'V4', 7: 'V5', 8: 'V6', 61: 'III', 62: 'aVR', 63: 'aVL', 64: 'aVF' };

export function readLeads(waveform: Observation): Lead[] {
  const leads: Lead[] = [];
  for (const component of waveform.component ?? []) {
    const sampled = component.valueSampledData;
    if (!sampled?.data || !sampled.period) continue;
    const mdc = component.code.coding?.find((c) => c.system === MDC)?.code;
    const name = component.code.text ?? (mdc ? MDC_LEADS[Number(mdc) - 131328] : undefined);
    if (!name) continue;
    const origin = sampled.origin.value ?? 0;
    const factor = sampled.factor ?? 1;
    const samples = sampled.data.trim().split(/\s+/);
    const microvolts = new Float32Array(samples.length);
    samples.forEach((s, i) => (microvolts[i] = origin + factor * Number(s)));
    leads.push({ name, microvolts, periodMs: sampled.period });
  }
  return leads;
}
