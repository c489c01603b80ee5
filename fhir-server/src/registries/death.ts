import type { Observation, Patient, Task } from '@medplum/fhirtypes';
import type { Queryable } from '../repository/db.js';
import type { Context } from '../router/types.js';
import type { WriteRule } from '../hooks/write-rules.js';
import { FOLLOW_UP_STATE_SYSTEM, TASK_CODE_SYSTEM } from './cancer/tasks.js';
import { searchAll } from './store.js';

/** Follow-up Tasks of every registry that a death closes. */
export const FOLLOW_UP_CODES: readonly string[] = ['registry-follow-up', 'chronic-follow-up'];
const OPEN: ReadonlySet<string> = new Set(['draft', 'requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold']);

function deathOf(patient: Patient | undefined): string | undefined {
  if (!patient) return undefined;
  if (patient.deceasedDateTime) return patient.deceasedDateTime;
  return patient.deceasedBoolean ? 'unknown' : undefined;
}

/** A follow-up Task closed because the patient died: completed, with the date of death as its output. */
export function closedByDeath(task: Task, death: string): Task {
  return {
    ...task,
    status: 'completed',
    businessStatus: { coding: [{ system: FOLLOW_UP_STATE_SYSTEM, code: 'closed-death' }], text: '患者死亡，随访结束 | Closed: the patient died' },
    statusReason: { text: '死亡信息关联 | Death linkage' },
    lastModified: new Date().toISOString(),
    output: [
      ...(task.output ?? []),
      { type: { text: 'deathDate' }, ...(death === 'unknown' ? { valueString: 'unknown' } : { valueDateTime: death }) },
    ],
  };
}

/** Death records a death registration feed sends as Observations (LOINC): date and time of death, cause of death. */
export const DEATH_RECORD_CODES: readonly string[] = ['81956-5', '69453-9'];

function deathRecordOf(o: Observation): string | undefined {
  if (!o.code?.coding?.some((c) => c.system === 'http://loinc.org' && DEATH_RECORD_CODES.includes(c.code ?? ''))) return undefined;
  if (o.status === 'entered-in-error' || o.status === 'cancelled') return undefined;
  return o.valueDateTime ?? o.effectiveDateTime ?? 'unknown';
}

async function closeFollowUps(ctx: Context, q: Queryable, patientId: string, death: string): Promise<void> {
  const open = await searchAll<Task>(q, 'Task', [
    ['patient', `Patient/${patientId}`],
    ['code', FOLLOW_UP_CODES.map((c) => `${TASK_CODE_SYSTEM}|${c}`).join(',')],
  ]);
  for (const task of open.filter((t) => OPEN.has(t.status))) await ctx.repo.update(q, closedByDeath(task, death));
}

/**
 * Death linkage (死亡信息关联): when a Patient is first recorded as deceased (deceasedDateTime or
 * deceasedBoolean — from the death registration feed or a hospital), or a death record arrives as
 * an Observation (date of death, cause of death), the open follow-up Tasks of the person's registry
 * cases are closed in the same transaction, so the follow-up loop ends with the death.
 */
export const DEATH_LINKAGE_RULE: WriteRule = {
  name: 'registry-death-linkage',
  types: ['Patient', 'Observation'],
  async check(ctx, q, { resource, previous }) {
    if (resource.resourceType === 'Observation') {
      const death = deathRecordOf(resource);
      const subject = resource.subject?.reference;
      if (death && subject?.startsWith('Patient/')) await closeFollowUps(ctx, q, subject.slice('Patient/'.length), death);
      return;
    }
    const death = deathOf(resource as Patient);
    if (!death || deathOf(previous as Patient | undefined) || !resource.id) return;
    await closeFollowUps(ctx, q, resource.id, death);
  },
};
