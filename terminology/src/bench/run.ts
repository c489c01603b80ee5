#!/usr/bin/env node
/**
 * `npm run bench:terminology`: code validation in process (codes/s) and `$expand` with a filter
 * over GB/T 2260 through HTTP (p50/p95). The HTTP part starts the built server
 * (fhir-server/dist/main.js) on embedded PGlite in a temporary directory, or uses `--server URL`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { shippedContent } from '../content/index.js';
import { NATIONAL } from '../content/national-systems.js';
import { createTerminology } from '../terminology.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '300' },
    server: { type: 'string' },
  },
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function validationRate(seconds: number): { perSecond: number; loadMs: number } {
  const started = performance.now();
  const t = createTerminology({ resources: shippedContent() });
  const loadMs = performance.now() - started;
  // A realistic mix: national tables, divisions, a FHIR value set binding, LOINC, ICD-10 and misses.
  const divisions = t.expand(`https://qiao.health/fhir/ValueSet/gbt-2260`).contains.map((c) => c.code);
  const cases = [
    () => t.validateCode({ system: NATIONAL.sex, code: '1' }),
    () => t.validateCode({ system: NATIONAL.ethnicity, code: '01', display: '汉族' }),
    () => t.validateCode({ system: NATIONAL.division, code: divisions[Math.floor(Math.random() * divisions.length)] as string }),
    () => t.validateCode({ url: 'http://hl7.org/fhir/ValueSet/marital-status', system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M' }),
    () => t.validateCode({ system: NATIONAL.loinc, code: '718-7' }),
    () => t.validateCode({ system: NATIONAL.icd10cn, code: 'E11.900' }),
    () => t.validateCode({ system: NATIONAL.maritalStatus, code: '99' }),
    () => t.inValueSet('http://hl7.org/fhir/ValueSet/administrative-gender', 'http://hl7.org/fhir/administrative-gender', 'female'),
  ];
  let n = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) (cases[i % cases.length] as () => unknown)();
    n += 1000;
  }
  return { perSecond: n / seconds, loadMs };
}

async function startServer(): Promise<{ base: string; child: ChildProcess; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-bench-tx-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const main = new URL('../../../fhir-server/dist/main.js', import.meta.url);
  const child = spawn(process.execPath, [main.pathname], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', QIAO_DATA_DIR: dir, QIAO_DEMO_DATA: 'off', QIAO_LOG_LEVEL: 'warn', QIAO_DIMSE_PORT: 'off', QIAO_AUTH: 'off', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}/fhir`;
  // Up to five minutes: on a shared two-core machine under load the server has taken 100 s to listen.
  for (let i = 0; i < 3000; i++) {
    try {
      if ((await fetch(`${base}/metadata`)).ok) return { base, child, dir };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('server did not start');
}

interface Latency {
  p50: number;
  p95: number;
  max: number;
}

async function latency(urls: string[], requests: number): Promise<Latency> {
  // Warm up: the first call loads the terminology service and builds the pinyin keys.
  for (const u of urls) await (await fetch(u)).text();
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const res = await fetch(urls[i % urls.length] as string);
    await res.text();
    if (!res.ok) throw new Error(`${urls[i % urls.length]} answered ${res.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1) ?? NaN };
}

const FILTERS = ['dz', '达州', 'cd', '成都', 'bj', '朝阳', 'xian', 'gz', '5117', 'wh'];

function expandUrls(base: string): string[] {
  return FILTERS.map((f) => `${base}/ValueSet/$expand?url=${encodeURIComponent('https://qiao.health/fhir/ValueSet/gbt-2260')}&filter=${encodeURIComponent(f)}&count=20`);
}

/** The same round trip with O(1) work behind it: what HTTP and the machine cost by themselves. */
function lookupUrls(base: string): string[] {
  return ['1', '2'].map((code) => `${base}/CodeSystem/$lookup?system=${encodeURIComponent(NATIONAL.sex)}&code=${code}`);
}

function show(l: Latency): string {
  return `p50 ${l.p50.toFixed(2)} ms, p95 ${l.p95.toFixed(2)} ms, max ${l.max.toFixed(2)} ms`;
}

async function main(): Promise<void> {
  const v = validationRate(Number(values.seconds));
  console.log(`load + index shipped content: ${v.loadMs.toFixed(0)} ms`);
  console.log(`code validation in process: ${Math.round(v.perSecond).toLocaleString('en')} codes/s (target ≥ 20,000)`);
  const server = values.server ? undefined : await startServer();
  try {
    const base = values.server ?? (server as { base: string }).base;
    const requests = Number(values.requests);
    console.log(`$expand GB/T 2260 with filter over HTTP: ${show(await latency(expandUrls(base), requests))} (target p95 ≤ 20 ms)`);
    console.log(`baseline, $lookup of one code over HTTP: ${show(await latency(lookupUrls(base), requests))}`);
  } finally {
    if (server) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
      await rm(server.dir, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
