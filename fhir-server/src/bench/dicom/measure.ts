#!/usr/bin/env node
/**
 * The measuring client of the DICOM benchmark, run as a child process once per server — for
 * Orthanc inside its network namespace — so that both are measured by the same code from the same
 * place: `node measure.js target.json` (a Target) prints the Measurement as JSON on stdout, progress on stderr.
 * Every reply is checked (status, instance counts, frame sizes) before its time counts.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { promisify } from 'node:util';
import { Histogram } from '../histogram.js';
import { GetClient } from './get-client.js';
import { COLUMNS, FRAMES, ROWS, SLICES, type Dataset, type SeriesFiles } from './dataset.js';

const run = promisify(execFile);

export interface Target {
  name: string;
  web: string;
  dimse: { host: string; port: number; aeTitle: string };
  dataset: Dataset;
  /** The server's process, whose CPU time is read from /proc around each ingest run. */
  pid: number;
  /** Only the STOW-RS and C-STORE runs (`--ingest-only`): the read measures are left out (NaN). */
  ingestOnly: boolean;
}

export interface Measurement {
  /** One figure per run. */
  stowInstancesPerS: number[];
  stowMBPerS: number[];
  cstoreInstancesPerS: number[];
  /** CPU time (user + system) of the server process per instance, one figure per run. */
  stowCpuMsPerInstance: number[];
  cstoreCpuMsPerInstance: number[];
  qidoStudiesP50Ms: number;
  seriesMetadataP50Ms: number;
  /** Frames per second of each timed pass. */
  framesPerS: number[];
  multiframeFrameP50Ms: number;
}

/** Requests per latency figure; few for the slow ones, whose spread is small against their size. */
const QIDO_REQUESTS = 200;
const METADATA_REQUESTS = 30;
/**
 * Frames are timed in steady state: untimed passes first, as a viewer meets a server that has been
 * running, on a connection that has been in use (both servers get them). Two passes were not
 * enough: on one keep-alive connection Qiao's rate kept rising for ≈ 1,500 frames (its JIT compiling
 * the frames path, and the connection's TCP windows growing: a new connection to a warm server
 * started at half the rate again), so the timed passes measured the ramp.
 */
const FRAME_WARM_UP_PASSES = 15;
const FRAME_PASSES = 5;
const MULTIFRAME_REQUESTS = 50;
const FRAME_BYTES = ROWS * COLUMNS * 2;
const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';

const target = JSON.parse(await readFile(process.argv[2] ?? 'target.json', 'utf8')) as Target;
const base = new URL(target.web);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const say = (line: string) => process.stderr.write(`  [${target.name}] ${line}\n`);

interface Reply {
  status: number;
  /** Bytes of the body; `body` holds only its first bytes when the reply was counted, not kept. */
  length: number;
  body: Buffer;
}

const getter = new GetClient(base);
/** GETs whose body is read (JSON) keep it; frames are only counted. */
const get = (path: string, headers: Record<string, string>, keep = true): Promise<Reply> => getter.get(path, headers, { keep });

function post(path: string, headers: http.OutgoingHttpHeaders, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: `${base.pathname}${path}`,
        headers: { ...headers, 'Content-Length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, length: all.length, body: all });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function expect(reply: Reply, statuses: number[], what: string): Reply {
  if (!statuses.includes(reply.status)) throw new Error(`${target.name} ${what}: HTTP ${reply.status} ${reply.body.toString('utf8', 0, 300)}`);
  return reply;
}

/** User + system CPU of the server process in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
async function serverCpuMs(): Promise<number> {
  const stat = await readFile(`/proc/${target.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs `ingest` and returns its seconds and the server's CPU ms per instance meanwhile. */
async function withCpu(instances: number, ingest: () => Promise<number>): Promise<{ seconds: number; cpuMs: number }> {
  const before = await serverCpuMs();
  const seconds = await ingest();
  return { seconds, cpuMs: ((await serverCpuMs()) - before) / instances };
}

const json = (reply: Reply) => JSON.parse(reply.body.toString('utf8')) as Record<string, { Value?: unknown[] }>[];
const qido = (path: string) => get(path, { Accept: 'application/dicom+json' });

async function waitReady(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const reply = await qido('/studies').catch(() => undefined);
    if (reply && (reply.status === 200 || reply.status === 204)) return;
    if (Date.now() > deadline) throw new Error(`${target.name} did not answer QIDO within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The series as one multipart/related body, built before the clock starts. */
async function stowBody(series: SeriesFiles): Promise<{ body: Buffer; contentType: string }> {
  const boundary = 'qiao-bench-boundary-7d1c';
  const parts: Buffer[] = [];
  for (const file of series.files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), await readFile(file), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

/** Seconds to store the series with one STOW-RS request; every instance must be referenced as stored. */
async function stow(series: SeriesFiles): Promise<number> {
  const { body, contentType } = await stowBody(series);
  const start = performance.now();
  const reply = expect(await post('/studies', { 'Content-Type': contentType, Accept: 'application/dicom+json' }, body), [200], 'STOW-RS');
  const seconds = (performance.now() - start) / 1000;
  const result = JSON.parse(reply.body.toString('utf8')) as Record<string, { Value?: unknown[] }>;
  const stored = result['00081199']?.Value?.length ?? 0;
  const failed = result['00081198']?.Value?.length ?? 0;
  if (stored !== series.files.length || failed) throw new Error(`${target.name} STOW-RS: ${stored} stored, ${failed} failed of ${series.files.length}`);
  return seconds;
}

/** Seconds for dcmtk's storescu to send the series over one association (process start included, ~10 ms). */
async function cstore(series: SeriesFiles): Promise<number> {
  const { host, port, aeTitle } = target.dimse;
  const start = performance.now();
  await run('storescu', ['-aet', 'BENCH', '-aec', aeTitle, host, String(port), ...series.files], { env: { ...process.env, TCP_NODELAY: '1' }, maxBuffer: 16 << 20 });
  const seconds = (performance.now() - start) / 1000;
  const instances = json(expect(await qido(`/studies/${series.studyUid}/series/${series.seriesUid}/instances`), [200], 'QIDO after C-STORE'));
  if (instances.length !== series.files.length) throw new Error(`${target.name} C-STORE: ${instances.length} of ${series.files.length} instances found afterwards`);
  return seconds;
}

async function latency(count: number, path: () => string, headers: Record<string, string>, check: (reply: Reply) => void, keep = true): Promise<number> {
  const histogram = new Histogram();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const reply = await get(path(), headers, keep);
    histogram.recordMicros((performance.now() - start) * 1000);
    check(reply);
  }
  return histogram.quantileMs(0.5);
}

function checkFrame(what: string) {
  return (reply: Reply) => {
    expect(reply, [200], what);
    if (reply.length < FRAME_BYTES) throw new Error(`${target.name} ${what}: ${reply.length} bytes, less than one frame`);
  };
}

/** Deterministic frame numbers 1…FRAMES. */
function randomFrames(): () => number {
  let seed = 12345;
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed % FRAMES) + 1;
  };
}

const { dataset } = target;
const read = dataset.stow[0] as SeriesFiles;
const mf = dataset.multiframe;
await waitReady();
say('ready; storing the warm-up series and the multi-frame instance (untimed)');
await stow(dataset.warmup);
await stow(mf);

/**
 * Each timed run starts with the file system's write-back of the one before done (`sync`), for both
 * servers: back-to-back runs of 52 MB otherwise make the next run create its files while the kernel
 * writes the last one's, and which server that slows more changes from minute to minute.
 */
const settled = () => run('sync', []);

const stowSeconds: number[] = [];
const stowCpu: number[] = [];
for (const series of dataset.stow) {
  await settled();
  const { seconds, cpuMs } = await withCpu(series.files.length, () => stow(series));
  stowSeconds.push(seconds);
  stowCpu.push(cpuMs);
  say(`STOW-RS ${series.files.length} instances: ${seconds.toFixed(2)} s, server CPU ${cpuMs.toFixed(2)} ms/instance`);
}
const cstoreSeconds: number[] = [];
const cstoreCpu: number[] = [];
for (const series of dataset.cstore) {
  await settled();
  const { seconds, cpuMs } = await withCpu(series.files.length, () => cstore(series));
  cstoreSeconds.push(seconds);
  cstoreCpu.push(cpuMs);
  say(`C-STORE ${series.files.length} instances: ${seconds.toFixed(2)} s, server CPU ${cpuMs.toFixed(2)} ms/instance`);
}
const perSecond = (seconds: number[], amount: number) => seconds.map((s) => amount / s);
const ingest = {
  stowInstancesPerS: perSecond(stowSeconds, SLICES),
  stowMBPerS: stowSeconds.map((s, i) => (dataset.stow[i]?.bytes ?? 0) / 1e6 / s),
  cstoreInstancesPerS: perSecond(cstoreSeconds, SLICES),
  stowCpuMsPerInstance: stowCpu,
  cstoreCpuMsPerInstance: cstoreCpu,
};
if (target.ingestOnly) {
  agent.destroy();
  getter.close();
  const measurement: Measurement = { ...ingest, qidoStudiesP50Ms: NaN, seriesMetadataP50Ms: NaN, framesPerS: [], multiframeFrameP50Ms: NaN };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
  process.exit(0);
}

const studies = json(expect(await qido('/studies'), [200], 'QIDO /studies')).length;
const qidoP50 = await latency(QIDO_REQUESTS, () => '/studies', { Accept: 'application/dicom+json' }, (r) => {
  expect(r, [200], 'QIDO /studies');
});
say(`QIDO /studies (${studies} studies): p50 ${qidoP50.toFixed(2)} ms`);

const metadataPath = `/studies/${read.studyUid}/series/${read.seriesUid}/metadata`;
const checkMetadata = (r: Reply) => {
  if (json(expect(r, [200], 'series metadata')).length !== SLICES) throw new Error(`${target.name} series metadata: not ${SLICES} instances`);
};
checkMetadata(await get(metadataPath, { Accept: 'application/dicom+json' }));
const metadataP50 = await latency(METADATA_REQUESTS, () => metadataPath, { Accept: 'application/dicom+json' }, checkMetadata);
say(`series metadata: p50 ${metadataP50.toFixed(1)} ms`);

const framePath = (i: number) => `/studies/${read.studyUid}/series/${read.seriesUid}/instances/${read.sopUids[i]}/frames/1`;
await settled();
for (let pass = 0; pass < FRAME_WARM_UP_PASSES; pass++) {
  for (let i = 0; i < read.sopUids.length; i++) checkFrame('frame')(await get(framePath(i), { Accept: FRAME_ACCEPT }, false));
}
const framesPerS: number[] = [];
for (let pass = 0; pass < FRAME_PASSES; pass++) {
  const passStart = performance.now();
  for (let i = 0; i < read.sopUids.length; i++) checkFrame('frame')(await get(framePath(i), { Accept: FRAME_ACCEPT }, false));
  framesPerS.push(read.sopUids.length / ((performance.now() - passStart) / 1000));
  say(`frames pass ${pass + 1}: ${(framesPerS[pass] as number).toFixed(0)}/s`);
}

const nextFrame = randomFrames();
const mfPath = () => `/studies/${mf.studyUid}/series/${mf.seriesUid}/instances/${mf.sopUids[0]}/frames/${nextFrame()}`;
const mfP50 = await latency(MULTIFRAME_REQUESTS, mfPath, { Accept: FRAME_ACCEPT }, checkFrame('multi-frame frame'), false);
say(`one frame of the ${FRAMES}-frame instance: p50 ${mfP50.toFixed(2)} ms`);
agent.destroy();
getter.close();

const measurement: Measurement = {
  ...ingest,
  qidoStudiesP50Ms: qidoP50,
  seriesMetadataP50Ms: metadataP50,
  framesPerS,
  multiframeFrameP50Ms: mfP50,
};
process.stdout.write(`${JSON.stringify(measurement)}\n`);
