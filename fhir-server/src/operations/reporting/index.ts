import type { Parameters } from '@medplum/fhirtypes';
import { overdueReports, reportTimeliness } from '../../workflows/reporting/timeliness.js';
import { dateParameter, periodParameter, referenceParameter, spreadParts } from '../critical-values/params.js';
import type { OperationEntry } from '../registry.js';

const BASE = 'https://qiao.health/fhir/OperationDefinition';

/** Remote reading (远程诊断): studies past their centre's report turnaround, and report timeliness per centre. */
export const REPORTING_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'overdue-reports',
    definition: `${BASE}/ImagingStudy-overdue-reports`,
    levels: ['type'],
    types: ['ImagingStudy'],
    affectsState: false,
    ownTransactions: false,
    async handler(ctx, q, req) {
      const since = dateParameter(req, 'since');
      const centre = referenceParameter(req, 'centre', 'Organization');
      // With the caller's principal: only studies and reports it may see are listed.
      const rows = await overdueReports(ctx, q, req, { now: new Date(), ...(since ? { since } : {}), ...(centre ? { centre } : {}) });
      const out: Parameters = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'default-turnaround-hours', valueDecimal: ctx.config.reporting.turnaroundHours },
          { name: 'count', valueInteger: rows.length },
          ...rows.map((r) => ({
            name: 'study',
            part: [
              { name: 'imaging-study', valueReference: { reference: r.study } },
              ...(r.patient ? [{ name: 'patient', valueReference: { reference: r.patient } }] : []),
              ...(r.serviceRequest ? [{ name: 'service-request', valueReference: { reference: r.serviceRequest } }] : []),
              ...(r.centre ? [{ name: 'centre', valueReference: { reference: r.centre } }] : []),
              { name: 'started', valueDateTime: r.started },
              { name: 'due', valueDateTime: r.due },
              { name: 'hours-overdue', valueDecimal: Math.round(r.hoursOverdue * 1000) / 1000 },
            ],
          })),
        ],
      };
      return { status: 200, body: out };
    },
  },
  {
    code: 'report-timeliness',
    definition: `${BASE}/DiagnosticReport-report-timeliness`,
    levels: ['type'],
    types: ['DiagnosticReport'],
    affectsState: false,
    ownTransactions: false,
    async handler(ctx, q, req) {
      const from = dateParameter(req, 'from');
      const to = dateParameter(req, 'to');
      const centre = referenceParameter(req, 'centre', 'Organization');
      const rows = await reportTimeliness(ctx, q, req, { unit: periodParameter(req), ...(from ? { from } : {}), ...(to ? { to } : {}), ...(centre ? { centre } : {}) });
      const out: Parameters = {
        resourceType: 'Parameters',
        parameter: rows.map((r) => ({
          name: 'centre',
          part: [
            ...(r.centre ? [{ name: 'organization', valueReference: { reference: r.centre } }] : []),
            { name: 'period', valueString: r.period },
            { name: 'reports', valueInteger: r.reports },
            { name: 'on-time', valueInteger: r.onTime },
            { name: 'turnaround-hours', valueDecimal: r.turnaroundHours },
            ...spreadParts('hours', r.hours),
          ],
        })),
      };
      return { status: 200, body: out };
    },
  },
];
