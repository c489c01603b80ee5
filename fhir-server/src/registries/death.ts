import type { Patient, Task } from '@medplum/fhirtypes';
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

/**
 * Death linkage (死亡信息关联): when a Patient is first recorded as deceased (deceasedDateTime or
 * deceasedBoolean — from the death registration feed or a hospital), the open follow-up Tasks of
 * its registry cases are closed in the same transaction, so the follow-up loop ends with the death.
 */
export const DEATH_LINKAGE_RULE: WriteRule = {
  name: 'registry-death-linkage',
  types: ['Patient'],
  async check(ctx, q, { resource, previous }) {
    const death = deathOf(resource as Patient);
    if (!death || deathOf(previous as Patient | undefined) || !resource.id) return;
    const open = await searchAll<Task>(q, 'Task', [
      ['patient', `Patient/${resource.id}`],
      ['code', FOLLOW_UP_CODES.map((c) => `${TASK_CODE_SYSTEM}|${c}`).join(',')],
    ]);
    for (const task of open.filter((t) => OPEN.has(t.status))) await ctx.repo.update(q, closedByDeath(task, death));
  },
};
