import type { Task } from '@medplum/fhirtypes';
import { periodOf, spread, type PeriodUnit, type Spread } from '../critical-values/percentiles.js';
import { stepsOf } from './task.js';
import type { EcgState } from './machine.js';
import { EXT_CRITICAL } from './vocabulary.js';

/**
 * Timeliness of the ECG centre (时间质量质控), per uploading site and period of upload, from the
 * steps stamped on the reading Tasks: acceptance (upload → accepted, 受理时效), diagnosis
 * (accepted → diagnosed, 诊断时效) and critical-value reporting (upload → report sent, for readings
 * with a critical statement, 危急值上报时效). Durations in seconds.
 */
export interface SiteTimeliness {
  site: string;
  period: string;
  readings: number;
  acceptance: Spread;
  diagnosis: Spread;
  criticalReport: Spread;
}

export function timeliness(tasks: readonly Task[], unit: PeriodUnit, utcOffset: string): SiteTimeliness[] {
  const groups = new Map<string, { site: string; period: string; readings: number; acceptance: number[]; diagnosis: number[]; criticalReport: number[] }>();
  for (const task of tasks) {
    const steps = stepsOf(task);
    const at = (state: EcgState) => {
      const s = steps.find((x) => x.state === state);
      return s ? Date.parse(s.time) : undefined;
    };
    const uploaded = at('uploaded');
    if (uploaded === undefined) continue;
    const site = task.requester?.reference ?? '(unknown)';
    const period = periodOf(new Date(uploaded).toISOString(), unit, utcOffset);
    const key = `${site}\u0000${period}`;
    const g = groups.get(key) ?? { site, period, readings: 0, acceptance: [], diagnosis: [], criticalReport: [] };
    groups.set(key, g);
    g.readings++;
    const accepted = at('accepted');
    const diagnosed = at('diagnosed');
    const reported = at('reported');
    if (accepted !== undefined) g.acceptance.push((accepted - uploaded) / 1000);
    if (accepted !== undefined && diagnosed !== undefined) g.diagnosis.push((diagnosed - accepted) / 1000);
    if (reported !== undefined && task.extension?.some((e) => e.url === EXT_CRITICAL && e.valueBoolean)) g.criticalReport.push((reported - uploaded) / 1000);
  }
  return [...groups.values()]
    .sort((a, b) => a.site.localeCompare(b.site) || a.period.localeCompare(b.period))
    .map((g) => ({ site: g.site, period: g.period, readings: g.readings, acceptance: spread(g.acceptance), diagnosis: spread(g.diagnosis), criticalReport: spread(g.criticalReport) }));
}
