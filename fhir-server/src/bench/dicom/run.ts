#!/usr/bin/env node
/**
 * Entry point of `npm run bench:dicom` (issue 6, "Performance"): writes the CT series and the
 * multi-frame instance, then measures Qiao and — when installed — Orthanc with its DICOMweb plugin on
 * the same data, one server at a time, each by the same client (measure.ts) in a child process, and
 * prints the table with ratios and targets. Writes nothing outside its temporary directory.
 *
 * Options: `--no-orthanc`; `--cpu-prof=<dir>` runs Qiao under `node --cpu-prof` (profile in <dir>);
 * `--ingest-only`: only the STOW-RS and C-STORE runs; `--durable-index`: PostgreSQL commits wait for
 * their WAL flush (see below).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startThrowawayPostgres } from '../../testing/throwaway-postgres.js';
import { codeRevision, machineFacts, type Machine } from '../machine.js';
import { POSTGRES_SETTINGS } from '../postgres-settings.js';
import { COLUMNS, FRAMES, ROWS, SLICES, writeDataset, type Dataset } from './dataset.js';
import type { Measurement, Target } from './measure.js';
import { orthancUnavailable, startOrthancPeer, startQiaoPeer, type Peer } from './peers.js';
import { consoleTable, markdown } from './report.js';

const args = process.argv.slice(2);
const ingestOnly = args.includes('--ingest-only');
// Orthanc 1.10 as configured here (SQLite index, SyncStorageArea false) makes no fsync or fdatasync
// while it stores (strace of a C-STORE run), and Qiao does not fsync its files: by default Qiao's
// index commits do not wait for their WAL flush either (synchronous_commit off: a crash of PostgreSQL
// loses at most the last ~0.6 s of commits, never consistency), so both answer at the same durability.
const durableIndex = args.includes('--durable-index');
const cpuProf = args.find((a) => a.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
const orthancMissing = args.includes('--no-orthanc') ? 'skipped with --no-orthanc' : orthancUnavailable();
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const revision = codeRevision(root);
const started = performance.now();
const progress = (line: string) => process.stderr.write(`[bench:dicom ${Math.round((performance.now() - started) / 1000)}s] ${line}\n`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const tmp = await mkdtemp(path.join(os.tmpdir(), 'qiao-bench-dicom-'));
try {
  progress(`writing the dataset to ${tmp}`);
  const dataset = await writeDataset(path.join(tmp, 'data'));
  const mb = (dataset.stow[0]?.bytes ?? 0) / 1e6;
  progress(`dataset: CT series of ${SLICES} slices ${ROWS}×${COLUMNS} 16-bit (${mb.toFixed(1)} MB), one ${FRAMES}-frame instance (${(dataset.multiframe.bytes / 1e6).toFixed(1)} MB)`);

  const pg = await startThrowawayPostgres({ settings: { ...POSTGRES_SETTINGS, ...(durableIndex ? {} : { synchronous_commit: 'off' }) } });
  let machine: Machine;
  let qiao: Measurement;
  const loads: string[] = [];
  try {
    machine = await machineFacts(pg.url);
    loads.push(`before Qiao ${load()}`);
    progress(`PostgreSQL ${machine.postgres}; load average ${load()}`);
    const peer = await startQiaoPeer(pg, path.join(tmp, 'qiao'), cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProf)}`] : []);
    qiao = await measureAndStop(peer, dataset);
  } finally {
    await pg.stop();
  }

  let orthanc: Measurement | undefined;
  let orthancVersion = '';
  let orthancSkipped = orthancMissing;
  // Orthanc is optional: one that cannot start (no namespaces in a container, say) is skipped, not fatal.
  let peer: Peer | undefined;
  if (!orthancSkipped) {
    try {
      peer = await startOrthancPeer(path.join(tmp, 'orthanc'));
    } catch (error) {
      orthancSkipped = `could not start: ${(error as Error).message}`;
    }
  }
  if (peer) {
    loads.push(`before Orthanc ${load()}`);
    orthancVersion = peer.version;
    orthanc = await measureAndStop(peer, dataset);
  } else {
    progress(`Orthanc skipped: ${orthancSkipped}`);
  }
  loads.push(`after ${load()}`);

  const input = { qiao, orthanc, orthancMissing: orthancSkipped };
  const facts = [
    `date ${new Date().toISOString()}, revision ${revision}, ${Math.round((performance.now() - started) / 1000)} s`,
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, PostgreSQL ${machine.postgres}`,
    `load average (1/5/15 min): ${loads.join('; ')}`,
    `Qiao's index commits: ${durableIndex ? 'durable (synchronous_commit on, --durable-index)' : 'synchronous_commit off, as Orthanc, which does not fsync its index (--durable-index for durable commits)'}`,
    ...(orthanc ? [`Orthanc: ${orthancVersion}, in a network namespace with loopback only`] : []),
  ];
  process.stdout.write(`\n${facts.join('\n')}\n\n${consoleTable(input)}\n\n${markdown(input)}\n`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}

/** Runs the measuring client against `peer` (in its namespace), then stops the peer whatever happened. */
async function measureAndStop(peer: Peer, dataset: Dataset): Promise<Measurement> {
  progress(`${peer.name} started (pid ${peer.pid}); measuring`);
  try {
    const targetFile = path.join(tmp, `${peer.name}.target.json`);
    const target: Target = { name: peer.name, web: peer.web, dimse: peer.dimse, dataset, pid: peer.pid, ingestOnly };
    await writeFile(targetFile, JSON.stringify(target));
    const [command, ...rest] = [...peer.command, process.execPath, fileURLToPath(new URL('./measure.js', import.meta.url)), targetFile];
    const child = spawn(command as string, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`measuring ${peer.name} failed (exit ${code})`);
    return JSON.parse(stdout) as Measurement;
  } finally {
    await peer.stop();
  }
}
