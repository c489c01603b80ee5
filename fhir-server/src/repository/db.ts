/**
 * The two database backends (a PostgreSQL server, or PGlite embedded in the process) behind one
 * small interface. Only the repository and the migrations issue SQL, and always with parameters.
 */
export interface QueryOptions {
  /**
   * Sends a fixed statement as a named prepared statement: PostgreSQL parses and plans it once per
   * connection instead of once per call (worth it for a long statement run for every stored item).
   * One name, one text, for the life of the process.
   */
  prepare?: string;
}

export interface Queryable {
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Several statements without parameters (migrations only). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one database transaction (READ COMMITTED); rolls back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PostgreSQL error codes the repository reacts to. */
export const PgCode = {
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  queryCanceled: '57014',
} as const;

export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
