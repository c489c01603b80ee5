/**
 * Child process: the ingest floor. `node floor-ingest.js PATIENTS WARMUP_PATIENTS CONCURRENCY`
 * with DATABASE_URL set. It stores the same bundles as Qiao's ingest, batched the same way (one
 * bundle, one database transaction), as about the least work PostgreSQL can be given for them: ids
 * assigned and JSON text made before the clock starts, one table with a primary key only, one
 * multi-row INSERT per bundle. Prints its LoadResult as JSON on stdout.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import pg from 'pg';
import { CpuMeter } from './cpu.js';
import { ingestWorkload } from './dataset.js';
import { closedLoop } from './load.js';
import { postmasterPid } from './sql.js';

interface Batch {
  ids: string[];
  contents: string[];
}

const INSERT = 'INSERT INTO floor (id, content) SELECT * FROM unnest($1::text[], $2::jsonb[])';

function toBatch(bundle: Bundle): Batch {
  const batch: Batch = { ids: [], contents: [] };
  for (const entry of bundle.entry ?? []) {
    const resource = { ...entry.resource, id: randomUUID() };
    batch.ids.push(resource.id);
    batch.contents.push(JSON.stringify(resource));
  }
  return batch;
}

const [patients, warmupPatients, concurrency] = process.argv.slice(2).map(Number);
if (!patients || warmupPatients === undefined || !concurrency) throw new Error('usage: floor-ingest.js PATIENTS WARMUP_PATIENTS CONCURRENCY');
const workload = ingestWorkload(patients, warmupPatients);
const warmup = [...workload.reference, ...workload.warmup].map(toBatch);
const measured = workload.measured.map(toBatch);

// One connection per user, as Qiao's pool gives each transaction one.
const clients = Array.from({ length: concurrency }, () => new pg.Client({ connectionString: process.env.DATABASE_URL }));
await Promise.all(clients.map((c) => c.connect()));
const first = clients[0] as pg.Client;
await first.query('CREATE TABLE floor (id text PRIMARY KEY, content jsonb)');
// This process is both the floor and its load generator: its CPU counts as the server's.
const cpu = new CpuMeter({ server: [process.pid], postmaster: await postmasterPid(process.env.DATABASE_URL as string), client: [] });

const load = (batches: Batch[], meter?: CpuMeter) => {
  let next = 0;
  return closedLoop({
    concurrency,
    cpu: meter,
    async step(vu) {
      const batch = batches[next++];
      if (!batch) return undefined;
      const client = clients[vu] as pg.Client;
      await client.query('BEGIN');
      try {
        await client.query(INSERT, [batch.ids, batch.contents]);
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      await client.query('COMMIT');
      return batch.ids.length;
    },
  });
};

await load(warmup);
// Qiao's measured phase starts after a checkpoint too: neither inherits the other's dirty buffers.
await first.query('CHECKPOINT');
const result = await load(measured, cpu);
await Promise.all(clients.map((c) => c.end()));
process.stdout.write(`${JSON.stringify(result)}\n`);
