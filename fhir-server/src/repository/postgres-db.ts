import pg from 'pg';
import { transactionEnded, transactionOpened } from './commit-hooks.js';
import type { Db, Queryable, QueryOptions } from './db.js';

// Keep timestamps and bigints as strings: the repository formats them itself and must not lose precision.
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  /** Per-statement limit, so a runaway query answers 504 instead of holding a connection. */
  statementTimeoutMs?: number;
}

function statement(text: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): pg.QueryConfig {
  return { text, ...(params ? { values: params as unknown[] } : {}), ...(options?.prepare ? { name: options.prepare } : {}) };
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
    async query(sql, params, options) {
      const result = await pool.query(statement(sql, params, options));
      return result.rows;
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      const tx: Queryable = {
        async query(sql, params, options) {
          return (await client.query(statement(sql, params, options))).rows;
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
