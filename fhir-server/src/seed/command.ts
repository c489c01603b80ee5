/**
 * `seed --patients N [--seed S] [--start-date YYYY-MM-DD] [--out DIR | --url BASE]`: writes the
 * dataset as files, posts it to a FHIR server, or prints it as newline-delimited JSON.
 */
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Bundle } from '@medplum/fhirtypes';
import { type DatasetOptions, generateDataset, patientBundles, referenceBundles } from './bundles.js';
import { dayNumber } from './time.js';

export interface SeedIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly fetch: typeof fetch;
}

const USAGE = `usage: seed --patients N [--seed S] [--start-date YYYY-MM-DD] [--out DIR | --url BASE] [--concurrency C]
  --out DIR   write one transaction bundle per file: DIR/0000.json, DIR/0001.json, …
  --url BASE  POST each bundle to the FHIR base URL (reference data first, then C at a time; default 4)
  otherwise   print the bundles to stdout, one per line`;

/** Give up on a bundle that the server has not answered in this time. */
const REQUEST_TIMEOUT_MS = 120_000;

interface Command {
  readonly dataset: DatasetOptions;
  readonly out?: string;
  readonly url?: string;
  readonly concurrency: number;
}

function wholeNumber(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new RangeError(`--${name} must be a whole number ≥ ${min}, got "${text}"`);
  return Number(text);
}

/** Throws (parseArgs' TypeError or a RangeError) on bad arguments. */
function parseCommand(argv: readonly string[]): Command {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      patients: { type: 'string' },
      seed: { type: 'string' },
      'start-date': { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      concurrency: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.patients === undefined) throw new RangeError('--patients is required');
  if (values.out !== undefined && values.url !== undefined) throw new RangeError('give --out or --url, not both');
  const dataset: DatasetOptions = { patients: wholeNumber('patients', values.patients, 0, 0) };
  if (values.seed !== undefined) dataset.seed = values.seed;
  if (values['start-date'] !== undefined) {
    dayNumber(values['start-date']);
    dataset.startDate = values['start-date'];
  }
  return {
    dataset,
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.url !== undefined ? { url: values.url.replace(/\/+$/, '') } : {}),
    concurrency: wholeNumber('concurrency', values.concurrency, 4, 1),
  };
}

function resourceCount(bundle: Bundle): number {
  return bundle.entry?.length ?? 0;
}

function rate(resources: number, startedMs: number): string {
  const seconds = (performance.now() - startedMs) / 1000;
  return `${resources} resources in ${seconds.toFixed(1)} s (${Math.round(resources / Math.max(seconds, 1e-3))} resources/s)`;
}

async function writeFiles(command: Command, dir: string, io: SeedIo): Promise<void> {
  const started = performance.now();
  await mkdir(dir, { recursive: true });
  // Zero-padded so that the files sort in load order.
  const width = Math.max(4, String(command.dataset.patients).length);
  let index = 0;
  let resources = 0;
  for (const bundle of generateDataset(command.dataset)) {
    await writeFile(join(dir, `${String(index).padStart(width, '0')}.json`), `${JSON.stringify(bundle)}\n`);
    index++;
    resources += resourceCount(bundle);
  }
  io.stderr.write(`wrote ${index} bundles to ${dir}: ${rate(resources, started)}\n`);
}

async function writeStdout(command: Command, io: SeedIo): Promise<void> {
  for (const bundle of generateDataset(command.dataset)) {
    if (!io.stdout.write(`${JSON.stringify(bundle)}\n`)) await once(io.stdout, 'drain');
  }
}

async function postBundle(io: SeedIo, url: string, bundle: Bundle): Promise<void> {
  const response = await io.fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json' },
    body: JSON.stringify(bundle),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 2000)}`);
}

async function postAll(command: Command, url: string, io: SeedIo): Promise<void> {
  const started = performance.now();
  let bundles = 0;
  let resources = 0;
  const send = async (bundle: Bundle): Promise<void> => {
    await postBundle(io, url, bundle);
    bundles++;
    resources += resourceCount(bundle);
  };
  // Patient bundles refer to the providers by conditional reference: those must exist first.
  for (const bundle of referenceBundles()) await send(bundle);
  const pending = patientBundles(command.dataset);
  let failed = false;
  const worker = async (): Promise<void> => {
    // The generator is synchronous, so workers taking turns at next() never get the same bundle.
    for (let next = pending.next(); !next.done && !failed; next = pending.next()) {
      try {
        await send(next.value);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: command.concurrency }, worker));
  const rejection = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejection) throw rejection.reason;
  io.stderr.write(`posted ${bundles} bundles to ${url}: ${rate(resources, started)}\n`);
}

/** Runs the command; resolves to the process exit code (0 done, 1 failed, 2 bad arguments). */
export async function runSeedCommand(
  argv: readonly string[],
  io: SeedIo = { stdout: process.stdout, stderr: process.stderr, fetch },
): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    if (command.out !== undefined) await writeFiles(command, command.out, io);
    else if (command.url !== undefined) await postAll(command, command.url, io);
    else await writeStdout(command, io);
    return 0;
  } catch (error) {
    io.stderr.write(`seed failed: ${(error as Error).message}\n`);
    return 1;
  }
}
