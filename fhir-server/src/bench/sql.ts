/** One statement on its own connection, for the runner's bookkeeping (CHECKPOINT, version). */
import pg from 'pg';

export async function sqlOnce<T extends object>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}
