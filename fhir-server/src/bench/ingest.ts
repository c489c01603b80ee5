/**
 * Scenario 1: transaction ingest. Each run loads the dataset into a fresh database through a fresh
 * Qiao (one transaction Bundle per patient, `CONCURRENCY` at a time) and then through the ingest
 * floor, and counts the resources that the successful responses report as stored.
 */
import type { Bundle } from '@medplum/fhirtypes';
import type { Bench } from './context.js';
import type { CpuMeter } from './cpu.js';
import type { IngestWorkload } from './dataset.js';
import { measureIngestFloor } from './floors.js';
import { expectStatus, HttpClient } from './http-client.js';
import { closedLoop, type LoadResult } from './load.js';
import { startQiao } from './processes.js';
import type { RunResult } from './report.js';
import { sqlOnce } from './sql.js';

export const CONCURRENCY = 4;

const HEADERS = { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json', Prefer: 'return=minimal' };

/** A database the last run left loaded, and `Type/id` of what it holds, for the read scenario. */
export interface Loaded {
  databaseUrl: string;
  patients: string[];
  observations: string[];
}

export async function ingestScenario(bench: Bench, bodies: Record<keyof IngestWorkload, string[]>): Promise<{ runs: RunResult[]; loaded: Loaded }> {
  const runs: RunResult[] = [];
  let loaded: Loaded | undefined;
  for (let run = 1; run <= bench.options.runs; run++) {
    const databaseUrl = await bench.pg.createDatabase(`ingest_qiao_${run}`);
    const qiao = await startQiao(databaseUrl, bench.options.qiaoNodeArgs);
    const client = new HttpClient(qiao.url, CONCURRENCY);
    const stored: Loaded = { databaseUrl, patients: [], observations: [] };
    try {
      // The reference data first and alone: the patient bundles resolve references to it.
      for (const [bundles, concurrency] of [[bodies.reference, 1], [bodies.warmup, CONCURRENCY]] as const) {
        const warm = await post(client, bundles, concurrency);
        if (warm.errors) throw new Error(`ingest warm-up failed: ${warm.firstError}`);
      }
      await sqlOnce(databaseUrl, 'CHECKPOINT');
      const result = await post(client, bodies.measured, CONCURRENCY, { stored, cpu: bench.meter(qiao.pid) });
      const floor = await measureIngestFloor(bench, run, CONCURRENCY);
      runs.push({ qiao: result, floor });
      bench.progress(`ingest run ${run}: Qiao ${Math.round(result.rate)} resources/s, floor ${Math.round(floor.rate)} resources/s`);
    } finally {
      client.close();
      await qiao.stop();
    }
    loaded = stored;
  }
  return { runs, loaded: loaded as Loaded };
}

/** Posts the bundles `concurrency` at a time; a bundle's units are the resources its response reports stored. */
function post(client: HttpClient, bodies: readonly string[], concurrency: number, measured?: { stored: Loaded; cpu: CpuMeter }): Promise<LoadResult> {
  const stored = measured?.stored;
  let next = 0;
  return closedLoop({
    concurrency,
    cpu: measured?.cpu,
    async step() {
      const body = bodies[next++];
      if (body === undefined) return undefined;
      const response = expectStatus(await client.request('POST', '/fhir', body, HEADERS), 200, 'transaction');
      let resources = 0;
      for (const entry of (JSON.parse(response.text) as Bundle).entry ?? []) {
        const { status = '', location = '' } = entry.response ?? {};
        if (!status.startsWith('20') || !location) continue;
        resources++;
        const [type, id] = location.split('/');
        if (type === 'Patient') stored?.patients.push(`${type}/${id}`);
        if (type === 'Observation') stored?.observations.push(`${type}/${id}`);
      }
      return resources;
    },
  });
}
