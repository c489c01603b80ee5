/**
 * When an imaging report is signed (the viewer PUTs status final; amended and corrected count as
 * signing again), in the same transaction: the report is completed with what the ordering clinic
 * matches it by — the order (`basedOn`, from the imaging study when absent), the reading centre
 * (`performer`, the signing user's organisation) and the reader (`resultsInterpreter`) — and, when
 * the ordering organisation has a PACS, a delivery Task is stored and its job queued (sent after
 * COMMIT, retried with back-off). The clinic's systems learn of the report by subscription
 * (topic `diagnostic-report-final`).
 */
import { randomUUID } from 'node:crypto';
import type { DiagnosticReport, Task } from '@medplum/fhirtypes';
import type { Principal } from '../../auth/principal.js';
import type { WriteRule } from '../../hooks/write-rules.js';
import { jobQueueOf } from '../../jobs/index.js';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { asServer, localReference, writeResource } from '../critical-values/fhir-calls.js';
import { orderingSite, ordersOf } from '../critical-values/ordering-site.js';
import { DELIVERY_JOB, DELIVERY_TASK_CODE, REPORTING_SYSTEM, SIGNED_STATUSES } from './codes.js';
import { pacsFor, peerText } from './pacs.js';

const signed = (r: DiagnosticReport | undefined): boolean => !!r && (SIGNED_STATUSES as readonly string[]).includes(r.status);

async function complete(ctx: Context, q: Queryable, report: DiagnosticReport, principal: Principal): Promise<string | undefined> {
  const outer = asServer(ctx.config.baseUrl ?? '');
  const orders = await ordersOf(ctx, q, outer, report);
  if (!report.basedOn?.length && orders.length) report.basedOn = orders.map((reference) => ({ reference }));
  const site = orders[0] ? await orderingSite(ctx, q, outer, orders[0]) : undefined;
  const centre = principal.organisation ?? site?.performer;
  if (centre && !(report.performer ?? []).some((p) => localReference(p.reference, 'Organization'))) {
    report.performer = [...(report.performer ?? []), { reference: centre }];
  }
  const reader = localReference(principal.fhirUser, 'Practitioner');
  if (reader && !report.resultsInterpreter?.length) report.resultsInterpreter = [{ reference: reader }];
  return site?.organisation;
}

async function queueDelivery(ctx: Context, q: Queryable, report: DiagnosticReport, clinic: string): Promise<void> {
  const outer = asServer(ctx.config.baseUrl ?? '');
  const target = await pacsFor(ctx, q, outer, clinic);
  if (!target) return;
  const now = new Date().toISOString();
  const task = await writeResource<Task>(ctx, q, outer, {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: REPORTING_SYSTEM, code: DELIVERY_TASK_CODE, display: '报告回传' }], text: '报告回传至申请机构 PACS | Report delivery to the ordering PACS' },
    focus: { reference: `DiagnosticReport/${report.id as string}` },
    ...(report.subject?.reference ? { for: { reference: report.subject.reference } } : {}),
    ...(report.basedOn?.length ? { basedOn: report.basedOn.map((r) => ({ reference: r.reference as string })) } : {}),
    authoredOn: now,
    owner: { reference: clinic },
    input: [
      { type: { text: 'destination' }, valueString: peerText(target.peer) },
      { type: { text: 'source' }, valueString: target.source },
      { type: { text: 'report-status' }, valueString: report.status },
    ],
  });
  await jobQueueOf(ctx).enqueue(
    DELIVERY_JOB,
    { task: task.id },
    { tx: q, retryLimit: Math.max(0, ctx.config.reporting.maxAttempts - 1), backoffSeconds: ctx.config.reporting.retrySeconds },
  );
}

const signedReport: WriteRule = {
  name: 'reporting.signed-report',
  types: ['DiagnosticReport'],
  async check(ctx, q, { resource, previous, principal }) {
    const report = resource as DiagnosticReport;
    const before = previous as DiagnosticReport | undefined;
    if (!signed(report) || !report.imagingStudy?.length || (signed(before) && before?.status === report.status)) return;
    report.id ??= randomUUID();
    const clinic = await complete(ctx, q, report, principal);
    if (clinic) await queueDelivery(ctx, q, report, clinic);
  },
};

export const REPORTING_RULES: readonly WriteRule[] = [signedReport];
