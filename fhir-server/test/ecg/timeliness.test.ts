import type { Task } from '@medplum/fhirtypes';
import { stepExtension, uploadTask } from '../../src/workflows/ecg/task.js';
import { timeliness } from '../../src/workflows/ecg/timeliness.js';
import { EXT_CRITICAL } from '../../src/workflows/ecg/vocabulary.js';
import type { EcgState } from '../../src/workflows/ecg/machine.js';

const T0 = Date.parse('2026-12-01T00:30:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** A reading uploaded at minute `start` whose later steps came after the given minutes. */
function reading(site: string, start: number, later: Partial<Record<EcgState, number>>, critical = false): Task {
  const task = uploadTask({ identifier: { system: 'urn:test', value: `${site}-${start}` }, patient: 'Patient/p', report: 'DiagnosticReport/r', order: 'ServiceRequest/s', requester: site, time: at(start) });
  for (const [state, minutes] of Object.entries(later)) task.extension?.push(stepExtension({ state: state as EcgState, time: at(start + minutes) }));
  if (critical) task.extension?.push({ url: EXT_CRITICAL, valueBoolean: true });
  return task;
}

describe('ECG timeliness', () => {
  it('gives count, median, p90 and max per site and period, in seconds, from the stamped steps', () => {
    const a = 'Organization/a';
    const tasks = [
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((m, i) => reading(a, i, { accepted: m, diagnosed: m + 2 * m })),
      reading(a, 20, { accepted: 1, diagnosed: 3, reported: 4 }, true),
      reading(a, 30, {}),
      reading('Organization/b', 0, { accepted: 30 }),
    ];
    const groups = timeliness(tasks, 'day', '+08:00');
    expect(groups.map((g) => [g.site, g.period, g.readings])).toEqual([
      ['Organization/a', '2026-12-01', 12],
      ['Organization/b', '2026-12-01', 1],
    ]);
    const first = groups[0]!;
    // Acceptance in minutes, sorted: 1 1 2 … 10 → nearest rank: median the 6th (5), p90 the 10th (9).
    expect(first.acceptance).toEqual({ count: 11, median: 300, p90: 540, max: 600 });
    // Diagnosis after acceptance: 2 2 4 … 20 → median 10 min, p90 18 min, max 20 min.
    expect(first.diagnosis).toEqual({ count: 11, median: 600, p90: 1080, max: 1200 });
    expect(first.criticalReport).toEqual({ count: 1, median: 240, p90: 240, max: 240 });
    expect(groups[1]!.criticalReport).toEqual({ count: 0 });
    // 00:30 UTC is 08:30 the same day at +08:00, but 2026-11-30 at -05:00.
    expect(timeliness(tasks, 'day', '-05:00')[0]!.period).toBe('2026-11-30');
  });
});
