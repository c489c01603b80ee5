#!/usr/bin/env node
/**
 * Entry point of `npm run bench:search`: loads (or reuses) a dataset of about a million resources
 * in a private PostgreSQL, times the query suite with one client and then with 100, takes the
 * query plans of the slowest queries, and prints a Markdown report (progress on stderr) and writes
 * the results to data/bench-search/results.json. See docs/benchmarks.md.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../testing/throwaway-postgres.js';
import { CpuMeter } from '../cpu.js';
import { HttpClient } from '../http-client.js';
import { codeRevision, machineFacts } from '../machine.js';
import { POSTGRES_SETTINGS } from '../postgres-settings.js';
import { startQiao } from '../processes.js';
import { postmasterPid, sqlOnce } from '../sql.js';
import { cacheKey, cacheRoot, type LoadedDataset, discard, migratable, otherDatasets, readCached, writeCached } from './cache.js';
import { concurrentMix } from './concurrent.js';
import { datasetSpec, generatorFingerprint, type DatasetSpec } from './dataset.js';
import { AUTO_EXPLAIN_SETTINGS, explainRequests } from './explain.js';
import { loadDataset } from './load-dataset.js';
import { parseSearchOptions } from './options.js';
import { Facts, SUITE } from './queries.js';
import { markdown, rowPasses, targets, type SearchReport } from './report.js';
import { rewindAuditRecords } from './rewind.js';
import { oneClient } from './single-client.js';
import { resetStatementStatistics, statementProfile, withStatementStatistics } from './statements.js';

const DATABASE = 'bench';
/** Query plans are taken of this many of the slowest queries. */
const EXPLAINED = 3;

const options = parseSearchOptions(process.argv.slice(2));
const suite = options.only ? SUITE.filter((q) => options.only?.includes(q.name)) : SUITE;
// Before anything runs: the build that `npm run bench:search` just made is of this work tree.
const revision = codeRevision(options.root);
const started = performance.now();
const progress = (line: string) => process.stderr.write(`[bench:search ${Math.round((performance.now() - started) / 1000)}s] ${line}\n`);

const spec = datasetSpec(options.patients, options.resources);
const fingerprint = generatorFingerprint(spec);
const directory = path.join(cacheRoot(options.root), cacheKey(spec, fingerprint));
const current = options.reload ? undefined : await readCached(directory);
const older = options.reload || current ? undefined : await migratable(directory, spec, fingerprint);
if (!current) await discard(directory);
if (older) await rename(path.join(cacheRoot(options.root), older.name), directory);
const cached = current ?? (older ? await readCached(directory) : undefined);
progress(`${older ? `migrating the dataset of schema ${older.schema} in` : cached ? 'reusing the dataset in' : 'loading a new dataset into'} ${path.relative(options.root, directory)}`);
const { superseded, others } = await otherDatasets(directory);
if (!cached && superseded.length) {
  progress(`deleting the same dataset loaded by another schema or generator: ${superseded.join(', ')}`);
  for (const name of superseded) await discard(path.join(cacheRoot(options.root), name));
}
if (others.length) progress(`other datasets kept in ${path.relative(options.root, cacheRoot(options.root))}/ (delete those no longer needed): ${others.join(', ')}`);

const settings = { ...POSTGRES_SETTINGS, ...AUTO_EXPLAIN_SETTINGS };
const pg = await startThrowawayPostgres({ settings: options.statements ? withStatementStatistics(settings) : settings, directory });
process.once('SIGINT', () => void pg.stop().finally(() => process.exit(130)));
try {
  const machine = await machineFacts(pg.url);
  progress(`PostgreSQL ${machine.postgres} on port ${pg.port}`);
  const dataset = cached ? (older ? await migrate(pg, cached, older.schema) : cached) : await load(pg, spec);
  const databaseUrl = databaseUrlOf(pg.url, dataset.database);
  const rewound = await rewindAuditRecords(databaseUrl, dataset.loadedAt);
  if (rewound > 0) {
    progress(`removed the ${rewound.toLocaleString('en-US')} audit records earlier runs left; VACUUM ANALYZE, CHECKPOINT`);
    await settle(databaseUrl);
  }
  const facts = new Facts(dataset.facts);

  const { singleClient, mix, statements } = await measure(databaseUrl, facts, await postmasterPid(pg.url));

  const suiteNames = new Set(suite.map((q) => q.name));
  const slowest = singleClient.rows
    .filter((r) => suiteNames.has(r.name) && r.stats.slowestPath !== undefined)
    .sort((a, b) => b.stats.p95Ms - a.stats.p95Ms)
    .slice(0, EXPLAINED);
  progress(`query plans of ${slowest.map((r) => r.name).join(', ')}`);
  const plans = await explainRequests(databaseUrl, pg.logFile, slowest.map((r) => ({ name: r.name, path: r.stats.slowestPath as string })));

  const report: SearchReport = {
    date: new Date().toISOString(),
    command: ['npm run bench:search', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    revision,
    machine,
    seconds: (performance.now() - started) / 1000,
    dataset: {
      directory: path.relative(options.root, directory),
      spec: dataset.spec,
      loadedAt: dataset.loadedAt,
      reused: cached !== undefined,
      ...(dataset.migrated ? { migrated: dataset.migrated } : {}),
      load: dataset.load,
      databaseBytes: dataset.databaseBytes,
    },
    singleClient,
    ...(mix ? { mix } : {}),
    ...(statements ? { statements } : {}),
    targets: targets(singleClient.rows, mix),
    plans,
  };
  const out = path.join(cacheRoot(options.root), 'results.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${markdown(report)}\n\n(JSON: ${path.relative(options.root, out)})\n`);
} finally {
  await pg.stop();
}

/**
 * Both timed phases, on one Qiao. The mix warms it up first (the JIT, the pools, PostgreSQL's and
 * the kernel's caches) with draws of its own, so the timed draws are not all already cached.
 */
async function measure(databaseUrl: string, facts: Facts, postmaster: number): Promise<Pick<SearchReport, 'singleClient' | 'mix' | 'statements'>> {
  const qiao = await startQiao(databaseUrl, options.qiaoNodeArgs);
  const meter = new CpuMeter({ server: [qiao.pid], postmaster, client: [process.pid] });
  const client = new HttpClient(qiao.url, 1);
  try {
    progress(`warm-up: ${options.warmupMs / 1000} s of the mix`);
    await concurrentMix(qiao.url, suite, facts, options.warmupMs, 'warm-up');
    progress(`one client: ${options.requests} requests per query`);
    const end = await meter.begin();
    const rows = (await oneClient(client, suite, facts, options.requests, 'one-client')).map((r) => ({ ...r, stats: r.stats.summary() }));
    const singleClient = { requestsPerQuery: options.requests, rows: rows.map((r) => ({ ...r, pass: rowPasses(r.stats) })), cpu: end() };
    if (options.durationMs === 0) return { singleClient };
    progress(`mix: ${options.durationMs / 1000} s`);
    if (options.statements) await resetStatementStatistics(databaseUrl);
    const mix = await concurrentMix(qiao.url, suite, facts, options.durationMs, 'mix', meter);
    return { singleClient, mix, ...(options.statements ? { statements: await statementProfile(databaseUrl, mix.total.requests) } : {}) };
  } finally {
    client.close();
    await qiao.stop();
  }
}

/** Brings a dataset loaded by an earlier schema up to date: a Qiao applies the migrations at its start. */
async function migrate(postgres: ThrowawayPostgres, dataset: LoadedDataset, fromSchema: number): Promise<LoadedDataset> {
  const databaseUrl = databaseUrlOf(postgres.url, dataset.database);
  await (await startQiao(databaseUrl, [])).stop();
  await settle(databaseUrl);
  const result: LoadedDataset = { ...dataset, databaseBytes: await databaseBytes(databaseUrl), migrated: { fromSchema, at: new Date().toISOString() } };
  await writeCached(directory, result);
  return result;
}

/** Fresh statistics, as autovacuum would have made by the time a real database had this much data; and a checkpoint. */
async function settle(databaseUrl: string): Promise<void> {
  await sqlOnce(databaseUrl, 'VACUUM (ANALYZE)');
  await sqlOnce(databaseUrl, 'CHECKPOINT');
}

async function databaseBytes(databaseUrl: string): Promise<number> {
  const [size] = await sqlOnce<{ bytes: string }>(databaseUrl, 'SELECT pg_database_size(current_database())::text AS bytes');
  return Number(size?.bytes ?? 0);
}

/** Loads the dataset through a Qiao of its own, then leaves the database analysed and checkpointed. */
async function load(postgres: ThrowawayPostgres, dataset: DatasetSpec): Promise<LoadedDataset> {
  const databaseUrl = await postgres.createDatabase(DATABASE);
  const qiao = await startQiao(databaseUrl, []);
  progress(`loading ${dataset.patients} patients (visit scale ${dataset.visitScale}) through Qiao`);
  let loaded: Awaited<ReturnType<typeof loadDataset>>;
  try {
    loaded = await loadDataset(qiao.url, dataset, progress);
  } finally {
    await qiao.stop();
  }
  progress(`loaded ${loaded.summary.resources.toLocaleString('en-US')} resources in ${Math.round(loaded.summary.seconds)} s; VACUUM ANALYZE, CHECKPOINT`);
  await settle(databaseUrl);
  const result: LoadedDataset = {
    spec: dataset,
    database: DATABASE,
    loadedAt: new Date().toISOString(),
    load: loaded.summary,
    databaseBytes: await databaseBytes(databaseUrl),
    facts: loaded.facts,
  };
  await writeCached(directory, result);
  return result;
}

function databaseUrlOf(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
