/**
 * Acknowledgement times of critical values per ordering site and period (危急值接收确认时效):
 * from the alert's `sent` to its acknowledgement, with how many were acknowledged late (after the
 * escalation limit) or are still open past it. Retracted alerts are left out.
 */
import type { Communication } from '@medplum/fhirtypes';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { acknowledgementOf, siteOf } from './alerts.js';
import { CRITICAL_SYSTEM, KIND, RETRACTED_STATUSES } from './codes.js';
import { searchResources } from './fhir-calls.js';
import { periodOf, spread, type PeriodUnit, type Spread } from './percentiles.js';

export interface SiteStats {
  site: string;
  period: string;
  published: number;
  acknowledged: number;
  overdue: number;
  ackSeconds: Spread;
}

export interface StatsQuery {
  /** Alerts sent at or after / before these instants. */
  from?: string;
  to?: string;
  site?: string;
  unit: PeriodUnit;
  now: Date;
}

export async function criticalValueStats(ctx: Context, q: Queryable, outer: FhirRequest, query: StatsQuery): Promise<SiteStats[]> {
  const alerts = await searchResources<Communication>(ctx, q, outer, 'Communication', [
    ['category', `${CRITICAL_SYSTEM}|${KIND.alert}`],
    ...RETRACTED_STATUSES.map((status): [string, string] => ['status:not', status]),
    ...(query.from ? [['sent', `ge${query.from}`] as [string, string]] : []),
    ...(query.to ? [['sent', `lt${query.to}`] as [string, string]] : []),
    ...(query.site ? [['recipient', query.site] as [string, string]] : []),
  ]);
  const limit = ctx.config.criticalValues.ackSeconds;
  const groups = new Map<string, { site: string; period: string; published: number; overdue: number; times: number[] }>();
  for (const alert of alerts) {
    if (!alert.sent) continue;
    const site = siteOf(alert) ?? '';
    const period = periodOf(alert.sent, query.unit, ctx.config.siteUtcOffset);
    const key = `${site}\u0000${period}`;
    const group = groups.get(key) ?? { site, period, published: 0, overdue: 0, times: [] };
    groups.set(key, group);
    group.published += 1;
    const time = acknowledgementOf(alert)?.time;
    const waited = ((time ? Date.parse(time) : query.now.getTime()) - Date.parse(alert.sent)) / 1000;
    if (time) group.times.push(waited);
    if (waited > limit) group.overdue += 1;
  }
  return [...groups.values()]
    .sort((a, b) => a.site.localeCompare(b.site) || a.period.localeCompare(b.period))
    .map((g) => ({ site: g.site, period: g.period, published: g.published, acknowledged: g.times.length, overdue: g.overdue, ackSeconds: spread(g.times) }));
}
