#!/usr/bin/env node
/**
 * Entry point of `npm run bench`: starts a private PostgreSQL, measures Qiao (a child process) and
 * the bare floors in three scenarios, and prints the results (progress on stderr, the table and a
 * Markdown section on stdout) and writes them to .bench/results.json. See docs/benchmarks.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { startThrowawayPostgres } from '../testing/throwaway-postgres.js';
import type { Bench } from './context.js';
import { CpuMeter } from './cpu.js';
import { crudScenario, CONCURRENCY as CRUD_CONCURRENCY } from './crud.js';
import { ingestWorkload, resourceCount } from './dataset.js';
import { ingestScenario, CONCURRENCY as INGEST_CONCURRENCY } from './ingest.js';
import { codeRevision, machineFacts } from './machine.js';
import { parseOptions } from './options.js';
import { POSTGRES_SETTINGS } from './postgres-settings.js';
import { readScenario, CONCURRENCY as READ_CONCURRENCY } from './read.js';
import { buildReport, consoleTable, markdown, type ScenarioResult } from './report.js';
import { postmasterPid } from './sql.js';

const options = parseOptions(process.argv.slice(2));
// Before anything runs: the build that `npm run bench` just made is of this work tree.
const revision = codeRevision(options.root);
const started = performance.now();
const progress = (line: string) => process.stderr.write(`[bench ${Math.round((performance.now() - started) / 1000)}s] ${line}\n`);

const { dataset, bodies } = serializedWorkload();
progress(`dataset: ${dataset.patients} patients, ${dataset.resources} resources`);

const pg = await startThrowawayPostgres({ settings: POSTGRES_SETTINGS });
process.once('SIGINT', () => void pg.stop().finally(() => process.exit(130)));
try {
  const machine = await machineFacts(pg.url);
  progress(`PostgreSQL ${machine.postgres} on port ${pg.port}`);
  const postmaster = await postmasterPid(pg.url);
  const bench: Bench = {
    pg,
    options,
    progress,
    meter: (serverPid) => new CpuMeter({ server: [serverPid], postmaster, client: [process.pid] }),
  };
  const ingest = await ingestScenario(bench, bodies);
  const read = await readScenario(bench, ingest.loaded);
  const crud = await crudScenario(bench);
  const scenarios: ScenarioResult[] = [
    { key: 'ingest', title: 'Transaction ingest', unit: 'resources/s', concurrency: INGEST_CONCURRENCY, runs: ingest.runs },
    { key: 'read', title: 'Read by id', unit: 'req/s', concurrency: READ_CONCURRENCY, runs: read },
    { key: 'crud', title: 'CRUD mix', unit: 'req/s', concurrency: CRUD_CONCURRENCY, runs: crud },
  ];
  const report = buildReport(
    {
      date: new Date().toISOString(),
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      revision,
      machine,
      dataset,
      seconds: (performance.now() - started) / 1000,
    },
    scenarios,
  );
  const out = path.join(options.root, '.bench', 'results.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${consoleTable(report)}\n\n${markdown(report)}\n\n(JSON: ${out})\n`);
} finally {
  await pg.stop();
}

/**
 * The ingest bundles as the JSON text to post, made once up front: the clock measures the server,
 * not the client's JSON.stringify. Only the text is kept, so the runner's heap stays small.
 */
function serializedWorkload() {
  const workload = ingestWorkload(options.patients, options.warmupPatients);
  const text = (bundles: Bundle[]) => bundles.map((b) => JSON.stringify(b));
  return {
    dataset: { patients: options.patients, bundles: workload.measured.length, resources: resourceCount(workload.measured) },
    bodies: { reference: text(workload.reference), warmup: text(workload.warmup), measured: text(workload.measured) },
  };
}
