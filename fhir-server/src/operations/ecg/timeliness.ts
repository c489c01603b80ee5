import type { Parameters, ParametersParameter, Task } from '@medplum/fhirtypes';
import { ecgError } from '../../ecg/errors.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse } from '../../router/types.js';
import type { Spread } from '../../workflows/critical-values/percentiles.js';
import { timeliness } from '../../workflows/ecg/timeliness.js';
import { ECG_TASK_CODE, ECG_TASK_SYSTEM } from '../../workflows/ecg/vocabulary.js';
import { searchAll } from '../cda/fhir-io.js';

const UNITS = ['day', 'month', 'year', 'all'] as const;
const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

function spreadPart(name: string, s: Spread): ParametersParameter {
  return {
    name,
    part: [
      { name: 'count', valueInteger: s.count },
      ...(s.median !== undefined ? [{ name: 'median', valueDecimal: s.median }] : []),
      ...(s.p90 !== undefined ? [{ name: 'p90', valueDecimal: s.p90 }] : []),
      ...(s.max !== undefined ? [{ name: 'max', valueDecimal: s.max }] : []),
    ],
  };
}

/**
 * `GET [base]/$ecg-timeliness?from=&to=&period=month&site=Organization/…`: acceptance, diagnosis
 * and critical-report times (seconds; count, median, p90, max) per uploading site and period.
 */
export async function ecgTimeliness(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const get = (name: string) => req.query.find(([k]) => k === name)?.[1];
  const unit = (get('period') ?? 'month') as (typeof UNITS)[number];
  if (!UNITS.includes(unit)) throw ecgError(400, 'ECG-PARAM-002', 'period 必须是 day、month、year 或 all', 'period must be day, month, year or all', 'period');
  const query: [string, string][] = [['code', `${ECG_TASK_SYSTEM}|${ECG_TASK_CODE}`]];
  for (const [name, prefix] of [['from', 'ge'], ['to', 'le']] as const) {
    const v = get(name);
    if (v === undefined) continue;
    if (!DATE.test(v)) throw ecgError(400, 'ECG-PARAM-003', `${name} 必须是日期（YYYY、YYYY-MM 或 YYYY-MM-DD）`, `${name} must be a date (YYYY, YYYY-MM or YYYY-MM-DD)`, name);
    query.push(['authored-on', `${prefix}${v}`]);
  }
  const site = get('site');
  if (site !== undefined) {
    if (!/^Organization\/[A-Za-z0-9\-.]{1,64}$/.test(site)) throw ecgError(400, 'ECG-PARAM-001', 'site 必须是 Organization/<id>', 'site must be Organization/<id>', 'site');
    query.push(['requester', site]);
  }
  const tasks = (await searchAll(ctx, q, req, 'Task', query)) as unknown as Task[];
  const groups = timeliness(tasks, unit, ctx.config.siteUtcOffset);
  const body: Parameters = {
    resourceType: 'Parameters',
    parameter: groups.map((g) => ({
      name: 'group',
      part: [
        { name: 'site', valueReference: { reference: g.site } },
        { name: 'period', valueString: g.period },
        { name: 'readings', valueInteger: g.readings },
        spreadPart('acceptance', g.acceptance),
        spreadPart('diagnosis', g.diagnosis),
        spreadPart('criticalReport', g.criticalReport),
      ],
    })),
  };
  return { status: 200, body };
}
