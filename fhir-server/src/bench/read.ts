/**
 * Scenario 2: read by id. Qiao and the read floor serve the database the ingest scenario loaded;
 * both get the same sequence of random Patient and Observation ids (half of each) from the same
 * number of keep-alive connections, for the same time.
 */
import { Random } from '../seed/random.js';
import type { Bench } from './context.js';
import type { CpuMeter } from './cpu.js';
import { startReadFloor } from './floors.js';
import { expectStatus, HttpClient } from './http-client.js';
import type { Loaded } from './ingest.js';
import { closedLoop, type LoadResult } from './load.js';
import { startQiao, type ServerChild } from './processes.js';
import type { RunResult } from './report.js';

export const CONCURRENCY = 16;

const HEADERS = { Accept: 'application/fhir+json' };

export async function readScenario(bench: Bench, loaded: Loaded): Promise<RunResult[]> {
  const { options } = bench;
  if (loaded.patients.length === 0 || loaded.observations.length === 0) throw new Error('the ingest loaded no Patients or Observations to read');
  const qiao = await startQiao(loaded.databaseUrl, options.qiaoNodeArgs);
  let floor: ServerChild | undefined;
  try {
    floor = await startReadFloor(loaded.databaseUrl);
    await readLoad(qiao.url, loaded, 'warm-up', options.warmupMs);
    await readLoad(floor.url, loaded, 'warm-up', options.warmupMs);
    const measure = (server: ServerChild, run: number) => readLoad(server.url, loaded, `run ${run}`, options.durationMs, bench.meter(server.pid));
    const runs: RunResult[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const result = await measure(qiao, run);
      const bare = await measure(floor, run);
      runs.push({ qiao: result, floor: bare });
      bench.progress(`read run ${run}: Qiao ${Math.round(result.rate)} req/s p99 ${result.p99Ms.toFixed(1)} ms, floor ${Math.round(bare.rate)} req/s`);
    }
    return runs;
  } finally {
    await Promise.all([qiao.stop(), floor?.stop()]);
  }
}

/** `CONCURRENCY` users reading for `durationMs`; user `vu` draws its ids from the stream (seed, vu). */
async function readLoad(baseUrl: string, loaded: Loaded, seed: string, durationMs: number, cpu?: CpuMeter): Promise<LoadResult> {
  const client = new HttpClient(baseUrl, CONCURRENCY);
  const streams = Array.from({ length: CONCURRENCY }, (_, vu) => new Random('read', seed, vu));
  try {
    return await closedLoop({
      concurrency: CONCURRENCY,
      durationMs,
      cpu,
      async step(vu) {
        const rng = streams[vu] as Random;
        const path = rng.pick(rng.chance(0.5) ? loaded.patients : loaded.observations);
        expectStatus(await client.request('GET', `/fhir/${path}`, undefined, HEADERS), 200, `GET ${path}`);
        return 1;
      },
    });
  } finally {
    client.close();
  }
}
