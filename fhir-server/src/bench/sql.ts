/** The runner's own statements (CHECKPOINT, version, …), each on a connection of its own. */
import pg from 'pg';
import { parentPid } from './cpu.js';

export async function sqlOnce<T extends object>(url: string, text: string): Promise<T[]> {
  return withClient(url, async (client) => (await client.query<T>(text)).rows);
}

/** Statements sent as one simple query, which PostgreSQL runs as one transaction; the rows of the last. */
export async function sqlScript<T extends object>(url: string, statements: readonly string[]): Promise<T[]> {
  return withClient(url, async (client) => {
    const results = (await client.query(statements.join(';\n'))) as unknown as pg.QueryResult<T> | pg.QueryResult<T>[];
    return (Array.isArray(results) ? results[results.length - 1] : results)?.rows ?? [];
  });
}

/** The pid of the PostgreSQL postmaster: the parent of the backend serving a connection, read while it lives. */
export function postmasterPid(url: string): Promise<number> {
  return withClient(url, async (client) => {
    const [row] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    return parentPid(row?.pid ?? 0);
  });
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
