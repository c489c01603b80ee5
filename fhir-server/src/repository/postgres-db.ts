import pg from 'pg';
import { transactionEnded, transactionOpened } from './commit-hooks.js';
import type { Db, Queryable } from './db.js';

// Keep timestamps and bigints as strings: the repository formats them itself and must not lose precision.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  /** Per-statement limit, so a runaway query answers 504 instead of holding a connection. */
  statementTimeoutMs?: number;
}

export function openPostgres(options: PostgresOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 20,
    statement_timeout: options.statementTimeoutMs ?? 30000,
  });
  // An idle client that loses its connection must not take the process down.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    async query(sql, params) {
      const result = await pool.query(sql, params as unknown[] | undefined);
      return result.rows;
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      const tx: Queryable = {
        async query(sql, params) {
          return (await client.query(sql, params as unknown[] | undefined)).rows;
        },
        async exec(sql) {
          await client.query(sql);
        },
      };
      transactionOpened(tx);
      let committed = false;
      try {
        await client.query('BEGIN');
        const result = await work(tx);
        await client.query('COMMIT');
        committed = true;
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
        transactionEnded(tx, committed);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
