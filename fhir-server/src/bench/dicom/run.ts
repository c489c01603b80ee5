#!/usr/bin/env node
/**
 * Entry point of `npm run bench:dicom` (issue 6, "Performance"): writes the CT series and the
 * multi-frame instance, then measures Qiao and — when installed — Orthanc with its DICOMweb plugin on
 * the same data, one server at a time, each by the same client (measure.ts) in a child process, and
 * prints the table with ratios and targets. Writes nothing outside its temporary directory.
 *
 * The servers take turns in rounds (Qiao then Orthanc, then Orthanc then Qiao, …), each round on a
 * fresh server: the machine is shared, and its speed drifts by a factor of two within minutes, so
 * one server measured a minute after the other is compared with a different machine. The table
 * gives the median over every run of every round; the ratio of each round is listed below it.
 *
 * Options: `--rounds=<n>` (default 3); `--no-orthanc`; `--cpu-prof=<dir>` runs Qiao under
 * `node --cpu-prof` (one profile per round in <dir>);
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
import { consoleTable, markdown, pool } from './report.js';

const args = process.argv.slice(2);
const ingestOnly = args.includes('--ingest-only');
// Orthanc 1.10 as configured here (SQLite index, SyncStorageArea false) makes no fsync or fdatasync
// while it stores (strace of a C-STORE run), and Qiao does not fsync its files: by default Qiao's
// index commits do not wait for their WAL flush either (synchronous_commit off: a crash of PostgreSQL
// loses at most the last ~0.6 s of commits, never consistency), so both answer at the same durability.
const durableIndex = args.includes('--durable-index');
const rounds = Math.max(1, Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 3) || 1);
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

  let machine: Machine | undefined;
  const loads: string[] = [];
  const qiaoRuns: Measurement[] = [];
  const orthancRuns: Measurement[] = [];
  let orthancVersion = '';
  let orthancSkipped = orthancMissing;

  async function measureQiao(round: number): Promise<void> {
    const pg = await startThrowawayPostgres({ settings: { ...POSTGRES_SETTINGS, ...(durableIndex ? {} : { synchronous_commit: 'off' }) } });
    try {
      machine ??= await machineFacts(pg.url);
      loads.push(`round ${round}, before Qiao ${load()}`);
      progress(`round ${round}: PostgreSQL ${machine.postgres}; load average ${load()}`);
      const peer = await startQiaoPeer(pg, path.join(tmp, `qiao-${round}`), cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProf)}`] : []);
      qiaoRuns.push(await measureAndStop(peer, dataset));
    } finally {
      await pg.stop();
      await rm(path.join(tmp, `qiao-${round}`), { recursive: true, force: true });
    }
  }

  async function measureOrthanc(round: number): Promise<void> {
    // Orthanc is optional: one that cannot start (no namespaces in a container, say) is skipped, not fatal.
    if (orthancSkipped) return;
    let peer: Peer;
    try {
      peer = await startOrthancPeer(path.join(tmp, `orthanc-${round}`));
    } catch (error) {
      orthancSkipped = `could not start: ${(error as Error).message}`;
      progress(`Orthanc skipped: ${orthancSkipped}`);
      return;
    }
    loads.push(`round ${round}, before Orthanc ${load()}`);
    orthancVersion = peer.version;
    orthancRuns.push(await measureAndStop(peer, dataset));
    await rm(path.join(tmp, `orthanc-${round}`), { recursive: true, force: true });
  }

  if (orthancMissing) progress(`Orthanc skipped: ${orthancMissing}`);
  for (let round = 1; round <= rounds; round++) {
    const turns = [measureQiao, measureOrthanc];
    // Every other round Orthanc goes first, so that a drift of the machine's speed favours neither.
    if (round % 2 === 0) turns.reverse();
    for (const turn of turns) await turn(round);
  }
  loads.push(`after ${load()}`);

  const qiao = pool(qiaoRuns);
  const orthanc = orthancRuns.length ? pool(orthancRuns) : undefined;
  const input = { qiao, orthanc, orthancMissing: orthancSkipped, rounds: { qiao: qiaoRuns, orthanc: orthancRuns } };
  const facts = [
    `date ${new Date().toISOString()}, revision ${revision}, ${Math.round((performance.now() - started) / 1000)} s, ${rounds} round${rounds === 1 ? '' : 's'}`,
    `machine: ${machine?.cpu}, ${machine?.cores} cores, ${machine?.memoryGb} GB, ${machine?.os}, Node ${machine?.node}, PostgreSQL ${machine?.postgres ?? '–'}`,
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
