/** The runner's side of the bare floors, which run as child processes (floor-*.ts). */
import type { Bench } from './context.js';
import type { LoadResult } from './load.js';
import { runChild, script, startServerChild, type ServerChild } from './processes.js';

/** Ingest floor of run `run`, in a database of its own; `concurrency` connections. */
export async function measureIngestFloor(bench: Bench, run: number, concurrency: number): Promise<LoadResult> {
  const url = await bench.pg.createDatabase(`ingest_floor_${run}`);
  const args = [bench.options.patients, bench.options.warmupPatients, concurrency].map(String);
  const stdout = await runChild(script('bench/floor-ingest.js'), args, { DATABASE_URL: url });
  return JSON.parse(stdout) as LoadResult;
}

/** The read floor, serving Qiao's tables in the database at `databaseUrl`. */
export function startReadFloor(databaseUrl: string): Promise<ServerChild> {
  return startServerChild(script('bench/floor-read-server.js'), { DATABASE_URL: databaseUrl });
}
