import type { Db } from '../repository/db.js';
import { migrations } from './migrations.js';

// Any constant works; it only has to be the same for every Qiao instance on one database.
const MIGRATION_LOCK = 7_146_183_501;

/**
 * Applies pending migrations in one transaction under an advisory lock, so two instances starting
 * together neither race nor apply a migration twice: the second waits, then finds nothing to do.
 */
export async function migrate(db: Db): Promise<number[]> {
  return db.transaction(async (tx) => {
    // Rebuilding an index on a large database takes longer than any request may.
    await tx.exec('SET LOCAL statement_timeout = 0');
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS qiao_migration (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM qiao_migration')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO qiao_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
