/**
 * The loaded dataset is kept between runs: loading a million resources through the REST API takes
 * a quarter of an hour or more. Each dataset has a directory under data/bench-search/ holding its PostgreSQL
 * cluster and dataset.json, which is written only once the load is complete: a directory without
 * it is a load that did not finish, and is loaded again.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { migrations } from '../../schema/migrations.js';
import type { DatasetSpec } from './dataset.js';
import type { PatientFacts } from './facts.js';
import type { LoadSummary } from './load-dataset.js';

/** Changes when dataset.json changes shape. */
const FORMAT = 1;

export interface LoadedDataset {
  spec: DatasetSpec;
  /** Name of the database in the cluster. */
  database: string;
  /** When the load finished (ISO 8601). */
  loadedAt: string;
  load: LoadSummary;
  /** pg_database_size after the load, VACUUM and CHECKPOINT. */
  databaseBytes: number;
  facts: PatientFacts[];
  /** When the dataset was loaded by an earlier schema and migrated since: from which, and when. */
  migrated?: { fromSchema: number; at: string };
}

interface CacheFile extends LoadedDataset {
  format: number;
}

/**
 * Names the dataset: what the generator makes (its fingerprint) and the schema it was loaded
 * into. The migrations' text counts, not only their number: an unreleased migration changes in
 * place while it is being written. What the search code indexes can change without either —
 * `--reload` is for that.
 */
export function cacheKey(spec: DatasetSpec, fingerprint: string, applied: readonly { version: number; sql: string }[] = migrations): string {
  const schema = Math.max(0, ...applied.map((m) => m.version));
  const hash = createHash('sha256')
    .update(JSON.stringify({ FORMAT, spec, fingerprint, migrations: applied.map((m) => m.sql) }))
    .digest('hex')
    .slice(0, 8);
  return `p${spec.patients}-v${spec.visitScale}-s${schema}-${hash}`;
}

/**
 * A complete dataset beside `dir` that the migrations can bring up to date, as they bring a
 * deployed database: the same generator and parameters, loaded by an earlier schema whose
 * migrations have not changed since (its name is the key those migrations give). Loading again
 * would take a quarter of an hour to arrive at what they arrive at in seconds.
 */
export async function migratable(dir: string, spec: DatasetSpec, fingerprint: string): Promise<{ name: string; schema: number } | undefined> {
  const { superseded } = await otherDatasets(dir);
  const bySchema = superseded.map((name) => ({ name, schema: Number(/-s(\d+)-[0-9a-f]+$/.exec(name)?.[1]) }));
  // The latest first: it has the fewest migrations to go, and an older one may be kept on purpose (to compare).
  for (const { name, schema } of bySchema.sort((a, b) => b.schema - a.schema)) {
    if (name !== cacheKey(spec, fingerprint, migrations.filter((m) => m.version <= schema))) continue;
    if (await readCached(path.join(path.dirname(dir), name))) return { name, schema };
  }
  return undefined;
}

export function cacheRoot(root: string): string {
  return path.join(root, 'data', 'bench-search');
}

/** The dataset the directory holds, or undefined when it holds none that is complete. */
export async function readCached(dir: string): Promise<LoadedDataset | undefined> {
  try {
    const { format, ...dataset } = JSON.parse(await readFile(path.join(dir, 'dataset.json'), 'utf8')) as CacheFile;
    return format === FORMAT ? dataset : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCached(dir: string, dataset: LoadedDataset): Promise<void> {
  const file: CacheFile = { format: FORMAT, ...dataset };
  await writeFile(path.join(dir, 'dataset.json'), `${JSON.stringify(file)}\n`);
}

export async function discard(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * The other datasets kept beside `dir` (about 16 KB of disk per resource: 16 GB at full size).
 * `superseded` are those of the same parameters loaded by another schema or generator, which
 * this code cannot use again.
 */
export async function otherDatasets(dir: string): Promise<{ superseded: string[]; others: string[] }> {
  const parameters = (key: string) => key.replace(/-s\d+-[0-9a-f]+$/, '');
  const entries = await readdir(path.dirname(dir), { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory() && e.name !== path.basename(dir)).map((e) => e.name);
  const same = (name: string) => parameters(name) === parameters(path.basename(dir));
  return { superseded: names.filter(same), others: names.filter((n) => !same(n)) };
}
