import { FhirError } from '../../errors/fhir-error.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse } from '../../router/types.js';
import { referralFacts, referralReport } from '../../workflows/referral/stats.js';
import { param } from './io.js';

const MEASURE = 'https://qiao.health/fhir/Measure/referral';

function dateParam(req: FhirRequest, name: string): string | undefined {
  const value = param(req, name);
  if (value !== undefined && !/^\d{4}(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(value)) {
    throw new FhirError('referral.parameter-invalid', { name, zh: `应为日期或时间：${value}`, en: `expected a date or dateTime: ${value}` }, `Parameters.parameter.${name}`);
  }
  return value;
}

/**
 * `GET [base]/Task/$referral-stats?from=&to=`: the referral statistics (see workflows/referral/stats.ts)
 * over referrals authored in [from, to), as a summary MeasureReport.
 */
export async function referralStats(_ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const range = { ...(dateParam(req, 'from') ? { from: dateParam(req, 'from') as string } : {}), ...(dateParam(req, 'to') ? { to: dateParam(req, 'to') as string } : {}) };
  return { status: 200, body: referralReport(await referralFacts(q, range), range, MEASURE) };
}
