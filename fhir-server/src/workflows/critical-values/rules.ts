/**
 * Write rules of critical values: a result stored as signed and critical is published in the same
 * transaction (the viewer's 危急值 box sets a report's conclusionCode AA; a laboratory system
 * codes an Observation's interpretation AA/HH/LL); an alert's acknowledgement is recorded only by
 * `$acknowledge`, an acknowledged or retracted alert no longer changes, and a publisher retracting
 * it (entered-in-error) retracts its Flag and cancels its open follow-ups.
 */
import { randomUUID } from 'node:crypto';
import type { Communication, Flag, Task } from '@medplum/fhirtypes';
import { isUnrestricted, type Principal } from '../../auth/principal.js';
import type { EdgeIssue } from '../../errors/edge-issues.js';
import { FhirError } from '../../errors/fhir-error.js';
import type { WriteRule } from '../../hooks/write-rules.js';
import type { Queryable } from '../../repository/db.js';
import type { Context } from '../../router/types.js';
import { acknowledgementOf, isAlert } from './alerts.js';
import { EXT_RESULT, RETRACTED_STATUSES } from './codes.js';
import { asServer, localReference, writeResource } from './fhir-calls.js';
import { isCriticalResult, publishCritical, relatedOf, type CriticalResult } from './publish.js';

const REFUSALS: Record<string, [string, string]> = {
  'no-order': ['结果未关联检验/检查申请（basedOn ServiceRequest），危急值未能通知申请机构', 'The result names no order (basedOn ServiceRequest): the critical value could not be sent to the ordering site'],
  'no-site': ['申请单未指明申请机构或医生，危急值未能发布', 'The order names no requesting organisation or practitioner: the critical value was not published'],
  'no-subject': ['结果未指明患者，危急值未能发布', 'The result names no patient: the critical value was not published'],
};

const publishOnWrite: WriteRule = {
  name: 'critical-values.publish',
  types: ['Observation', 'DiagnosticReport'],
  async check(ctx, q, { resource, previous, principal }) {
    const result = resource as CriticalResult;
    if (!isCriticalResult(result) || (previous && isCriticalResult(previous as CriticalResult))) return;
    // The alert and Flag point at the result, so a new one gets its id now rather than at INSERT.
    result.id ??= randomUUID();
    const outcome = await publishCritical(ctx, q, asServer(ctx.config.baseUrl ?? ''), result, principal);
    if (typeof outcome !== 'string') return;
    const [zh, en] = REFUSALS[outcome] as [string, string];
    const issue: EdgeIssue = { severity: 'warning', code: 'incomplete', id: `critical-value.${outcome}`, zh, en, expression: `${result.resourceType}.basedOn` };
    return [issue];
  },
};


function isPublisher(alert: Communication, principal: Principal): boolean {
  if (isUnrestricted(principal)) return true;
  const sender = localReference(alert.sender?.reference);
  return !!sender && (sender === principal.fhirUser || sender === principal.organisation);
}

async function retract(ctx: Context, q: Queryable, alert: Communication): Promise<void> {
  const outer = asServer(ctx.config.baseUrl ?? '');
  const result = (alert.about ?? []).map((r) => localReference(r.reference)).find((r) => r && !r.startsWith('Flag/'));
  if (!result) return;
  const { flag, tasks } = await relatedOf(ctx, q, outer, result);
  const now = new Date().toISOString();
  if (flag && flag.extension?.some((e) => e.url === EXT_RESULT)) {
    await writeResource<Flag>(ctx, q, outer, { ...flag, status: 'entered-in-error', period: { ...flag.period, end: now } });
  }
  for (const task of tasks.filter((t) => !['completed', 'cancelled', 'failed', 'entered-in-error'].includes(t.status))) {
    await writeResource<Task>(ctx, q, outer, { ...task, status: 'cancelled', statusReason: { text: '危急值已撤回 | Critical value retracted' } });
  }
}

const alertStates: WriteRule = {
  name: 'critical-values.alert-state',
  types: ['Communication'],
  async check(ctx, q, { resource, previous, principal }) {
    const before = previous as Communication | undefined;
    const after = resource as Communication;
    // The workflow's own writes (acknowledgement, escalation, retraction) run as the server.
    if (!before || !isAlert(before) || principal.kind === 'system') return;
    if ((RETRACTED_STATUSES as readonly string[]).includes(before.status) || acknowledgementOf(before)) {
      throw new FhirError('critical.closed', { id: before.id as string, status: acknowledgementOf(before) ? 'acknowledged' : before.status }, 'Communication.status');
    }
    if (after.status === 'entered-in-error') {
      if (!isPublisher(before, principal)) throw new FhirError('critical.not-publisher', { id: before.id as string }, 'Communication.status');
      await retract(ctx, q, before);
      return;
    }
    if (after.received || acknowledgementOf(after)) {
      throw new FhirError('critical.acknowledge-by-operation', { id: before.id as string }, 'Communication.status');
    }
  },
};

export const CRITICAL_VALUE_RULES: readonly WriteRule[] = [publishOnWrite, alertStates];
