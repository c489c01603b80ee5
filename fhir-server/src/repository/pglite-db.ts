import { PGlite } from '@electric-sql/pglite';
import { transactionEnded, transactionOpened } from './commit-hooks.js';
import type { Db, Queryable } from './db.js';

/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly) persisted in a directory.
 * It has a single connection, so transactions are serialised here; statements outside a
 * transaction wait for the running one instead of interleaving with it.
 */
export async function openPglite(dataDir: string): Promise<Db> {
  const db = await PGlite.create(dataDir);
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  const asRows = async <T>(promise: Promise<{ rows: unknown[] }>) => (await promise).rows as T[];
  return {
    kind: 'pglite',
    query(sql, params) {
      return exclusive(() => asRows(db.query(sql, params as unknown[] | undefined)));
    },
    exec(sql) {
      return exclusive(async () => void (await db.exec(sql)));
    },
    transaction(work) {
      return exclusive(async () => {
        let tx: Queryable | undefined;
        let committed = false;
        try {
          const result = await db.transaction(async (t) => {
            tx = {
              query: (sql, params) => asRows(t.query(sql, params as unknown[] | undefined)),
              exec: async (sql) => void (await t.exec(sql)),
            };
            transactionOpened(tx);
            return work(tx);
          });
          committed = true;
          return result;
        } finally {
          if (tx) transactionEnded(tx, committed);
        }
      });
    },
    async close() {
      await exclusive(() => db.close());
    },
  };
}
