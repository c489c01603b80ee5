import type { Db, Queryable } from '../../repository/db.js';
import type { Evaluation } from './quality.js';

export interface SubmissionRow {
  registry: string;
  organisation: string;
  caseKey: string;
  conditionId?: string;
  accepted: boolean;
  evaluation: Evaluation;
  diagnosed?: string;
}

const INSERT = `INSERT INTO registry_submission (registry, organisation, case_key, condition_id, accepted, errors, warnings, rules, diagnosed, completeness)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10)`;

function values(row: SubmissionRow): unknown[] {
  const e = row.evaluation;
  return [row.registry, row.organisation, row.caseKey, row.conditionId ?? null, row.accepted, e.errors, e.warnings, e.issues.map((i) => i.id).join(','), row.diagnosed ?? null, e.completeness];
}

/** An accepted submission commits with the case it stored. */
export async function recordAccepted(q: Queryable, row: SubmissionRow): Promise<void> {
  await q.query(INSERT, values(row));
}

/**
 * A refused submission rolls its transaction back, so it is written outside it: on PostgreSQL
 * on another pooled connection (awaited, so the KPIs see it as soon as the refusal is answered);
 * on the embedded database, whose one connection the refused transaction holds, queued to run
 * right after the rollback (awaiting it here would wait for ourselves).
 */
export async function recordRefused(db: Db, row: SubmissionRow): Promise<void> {
  const insert = db.query(INSERT, values(row));
  if (db.kind === 'postgres') await insert;
  else insert.catch(() => undefined);
}

/** The key a stored case was first accepted under: its re-submissions count as the same case whatever they change. */
export async function keyOfStoredCase(q: Queryable, registry: string, conditionId: string): Promise<string | undefined> {
  const [row] = await q.query<{ case_key: string }>('SELECT case_key FROM registry_submission WHERE registry = $1 AND condition_id = $2 AND accepted ORDER BY id LIMIT 1', [registry, conditionId]);
  return row?.case_key;
}
