import type { Db, Queryable } from '../../src/repository/db.js';

/** The database, with every statement a request sends (inside transactions too) pushed onto `log`. */
export function recordingStatements(db: Db, log: string[]): Db {
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      log.push(sql);
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
  });
  return { ...wrap(db), kind: db.kind, transaction: (work) => db.transaction((tx) => work(wrap(tx))), close: () => db.close() };
}
