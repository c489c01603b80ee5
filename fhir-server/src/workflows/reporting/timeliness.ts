/**
 * Report timeliness per reading centre (报告时效): studies still without a signed report past the
 * centre's turnaround (超时未报告), and the time from a study's start (its arrival for reading) to
 * the report's signature (`issued`). A centre's turnaround is its Organization's
 * `report-turnaround-hours` extension, else `QIAO_REPORT_TURNAROUND_HOURS`. The centre of a study is
 * the performer of its order; that of a report, its performer organisation.
 */
import type { DiagnosticReport, ImagingStudy, Organization, ServiceRequest } from '@medplum/fhirtypes';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest } from '../../router/types.js';
import { localReference, readResource, searchResources } from '../critical-values/fhir-calls.js';
import { periodOf, spread, type PeriodUnit, type Spread } from '../critical-values/percentiles.js';
import { EXT_TURNAROUND, SIGNED_STATUSES } from './codes.js';

const HOUR = 3600_000;

/** Reads each reference once per report run. */
function cached<T>(load: (ref: string) => Promise<T | undefined>): (ref: string | undefined) => Promise<T | undefined> {
  const seen = new Map<string, Promise<T | undefined>>();
  return (ref) => {
    if (!ref) return Promise.resolve(undefined);
    if (!seen.has(ref)) seen.set(ref, load(ref));
    return seen.get(ref) as Promise<T | undefined>;
  };
}

function readers(ctx: Context, q: Queryable, outer: FhirRequest) {
  const organisation = cached((ref) => readResource<Organization>(ctx, q, outer, ref));
  const order = cached((ref) => readResource<ServiceRequest>(ctx, q, outer, ref));
  const study = cached((ref) => readResource<ImagingStudy>(ctx, q, outer, ref));
  const turnaround = async (centre: string | undefined): Promise<number> => {
    const ext = (await organisation(centre))?.extension?.find((e) => e.url === EXT_TURNAROUND);
    const hours = ext?.valueDecimal ?? ext?.valueInteger ?? ext?.valuePositiveInt;
    return typeof hours === 'number' && hours > 0 ? hours : ctx.config.reporting.turnaroundHours;
  };
  const centreOfOrder = async (ref: string | undefined): Promise<string | undefined> =>
    (await order(ref))?.performer?.flatMap((p) => localReference(p.reference, 'Organization') ?? [])[0];
  return { study, turnaround, centreOfOrder };
}

export interface OverdueStudy {
  study: string;
  patient?: string;
  serviceRequest?: string;
  centre?: string;
  started: string;
  due: string;
  hoursOverdue: number;
}

export async function overdueReports(ctx: Context, q: Queryable, outer: FhirRequest, o: { now: Date; since?: string; centre?: string }): Promise<OverdueStudy[]> {
  const read = readers(ctx, q, outer);
  const studies = await searchResources<ImagingStudy>(ctx, q, outer, 'ImagingStudy', [
    ['started', `lt${o.now.toISOString()}`],
    ...(o.since ? [['started', `ge${o.since}`] as [string, string]] : []),
    ['status:not', 'cancelled'],
    ['status:not', 'entered-in-error'],
  ]);
  const reports = await searchResources<DiagnosticReport>(ctx, q, outer, 'DiagnosticReport', [['status', SIGNED_STATUSES.join(',')], ['_elements', 'imagingStudy']]);
  const reported = new Set(reports.flatMap((r) => (r.imagingStudy ?? []).flatMap((s) => localReference(s.reference, 'ImagingStudy') ?? [])));
  const out: OverdueStudy[] = [];
  for (const study of studies) {
    const ref = `ImagingStudy/${study.id as string}`;
    if (reported.has(ref) || !study.started) continue;
    const serviceRequest = (study.basedOn ?? []).flatMap((b) => localReference(b.reference, 'ServiceRequest') ?? [])[0];
    const centre = await read.centreOfOrder(serviceRequest);
    if (o.centre && centre !== o.centre) continue;
    const due = Date.parse(study.started) + (await read.turnaround(centre)) * HOUR;
    if (o.now.getTime() <= due) continue;
    const patient = localReference(study.subject?.reference, 'Patient');
    out.push({
      study: ref,
      ...(patient ? { patient } : {}),
      ...(serviceRequest ? { serviceRequest } : {}),
      ...(centre ? { centre } : {}),
      started: study.started,
      due: new Date(due).toISOString(),
      hoursOverdue: (o.now.getTime() - due) / HOUR,
    });
  }
  return out.sort((a, b) => b.hoursOverdue - a.hoursOverdue);
}

export interface CentreTimeliness {
  centre: string;
  period: string;
  reports: number;
  onTime: number;
  turnaroundHours: number;
  hours: Spread;
}

export async function reportTimeliness(ctx: Context, q: Queryable, outer: FhirRequest, o: { from?: string; to?: string; centre?: string; unit: PeriodUnit }): Promise<CentreTimeliness[]> {
  const read = readers(ctx, q, outer);
  const reports = await searchResources<DiagnosticReport>(ctx, q, outer, 'DiagnosticReport', [
    ['status', SIGNED_STATUSES.join(',')],
    ...(o.from ? [['issued', `ge${o.from}`] as [string, string]] : []),
    ...(o.to ? [['issued', `lt${o.to}`] as [string, string]] : []),
  ]);
  const groups = new Map<string, { centre: string; period: string; hours: number[]; limit: number }>();
  for (const report of reports) {
    const study = await read.study(localReference(report.imagingStudy?.[0]?.reference, 'ImagingStudy'));
    if (!report.issued || !study?.started) continue;
    const order = (report.basedOn ?? study.basedOn ?? []).flatMap((b) => localReference(b.reference, 'ServiceRequest') ?? [])[0];
    const centre = (report.performer ?? []).flatMap((p) => localReference(p.reference, 'Organization') ?? [])[0] ?? (await read.centreOfOrder(order)) ?? '';
    if (o.centre && centre !== o.centre) continue;
    const period = periodOf(report.issued, o.unit, ctx.config.siteUtcOffset);
    const key = `${centre}\u0000${period}`;
    const group = groups.get(key) ?? { centre, period, hours: [], limit: await read.turnaround(centre || undefined) };
    groups.set(key, group);
    group.hours.push((Date.parse(report.issued) - Date.parse(study.started)) / HOUR);
  }
  return [...groups.values()]
    .sort((a, b) => a.centre.localeCompare(b.centre) || a.period.localeCompare(b.period))
    .map((g) => ({ centre: g.centre, period: g.period, reports: g.hours.length, onTime: g.hours.filter((h) => h <= g.limit).length, turnaroundHours: g.limit, hours: spread(g.hours) }));
}
