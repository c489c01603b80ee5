/**
 * `npm run bench:cda [-- --seconds 3]`: in-process CDA → FHIR preparation of a typical 20 KB
 * 检验报告 on one core (one thread): each stage on its own, the whole preparation, and as the
 * reference the bare fast-xml-parser parse of the same text (a general-purpose parser, kept as a
 * dev dependency only for this comparison). The document is the synthetic test fixture with its
 * lab items repeated up to ~20 KB.
 *
 * `npm run bench:cda -- --http <fhir base> [--documents 200] [--clients 8]`: `$cda-import` over
 * HTTP against a running server, distinct documents (own document id, own patient), after 10
 * warm-up imports.
 *
 * `npm run bench:cda -- --big [MB]`: memory of preparing one document of about that size (20 by
 * default) in a fresh process: peak RSS above the baseline, and what the result holds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { prepareImport, residentIdCheckChar } from '../index.js';
import { cdaToFhir, toTransaction } from '../map/document.js';
import { validateParsed } from '../validate/validator.js';
import { decodeDocument } from '../xml/decode.js';
import { parseXml } from '../xml/dom.js';

const loadBefore = os.loadavg();
const argument = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const seconds = Number(argument('--seconds')) || 3;
const fixture = readFileSync(new URL('../../test/fixtures/C0007-lab-report.xml', import.meta.url), 'utf8');

/** The fixture with its lab items repeated until the document has at least `targetBytes`. */
function labReport(targetBytes: number): Buffer {
  const start = fixture.indexOf('<entry>\n            <organizer');
  const end = fixture.lastIndexOf('</entry>') + '</entry>'.length;
  const items = fixture.slice(start, end);
  const head = fixture.slice(0, start);
  const tail = fixture.slice(end);
  const one = Buffer.byteLength(`\n          ${items}`);
  const copies = Math.max(1, Math.ceil((targetBytes - Buffer.byteLength(head + items + tail)) / one) + 1);
  return Buffer.from(head + items + `\n          ${items}`.repeat(copies - 1) + tail);
}

interface Rate {
  cpu: number;
  wall: number;
  microsPerDocument: number;
}

/**
 * Documents per second of CPU time this process used ("per core"), and per wall-clock second, of
 * each step. The steps take turns in batches of 10 for `seconds` each in all, so that a load
 * change on the shared machine affects them alike and their ratios stay comparable.
 */
function rates(steps: Record<string, () => unknown>): Record<string, Rate> {
  const names = Object.keys(steps);
  const spent = new Map(names.map((name) => [name, { n: 0, cpu: 0, wall: 0 }]));
  for (const name of names) for (let i = 0; i < 50; i++) steps[name]!();
  const until = process.hrtime.bigint() + BigInt(seconds * names.length * 1e9);
  while (process.hrtime.bigint() < until) {
    for (const name of names) {
      const work = steps[name]!;
      const total = spent.get(name)!;
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 10; i++) work();
      const cpu = process.cpuUsage(cpu0);
      total.wall += Number(process.hrtime.bigint() - t0) / 1e9;
      total.cpu += (cpu.user + cpu.system) / 1e6;
      total.n += 10;
    }
  }
  const out: Record<string, Rate> = {};
  for (const name of names) {
    const { n, cpu, wall } = spent.get(name)!;
    out[name] = { cpu: n / cpu, wall: n / wall, microsPerDocument: Math.round((cpu / n) * 1e6) };
    process.stderr.write(`${name}: ${(n / cpu).toFixed(0)}/s per core (CPU time, ${((cpu / n) * 1e6).toFixed(0)} µs each), ${(n / wall).toFixed(0)}/s wall clock\n`);
  }
  return out;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: path.dirname(fileURLToPath(import.meta.url)), stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const machine = () => ({ cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, loadBefore, loadAfter: os.loadavg() });

function throughput(): void {
  const doc = labReport(20 * 1024);
  const text = doc.toString('utf8');
  const bare = new XMLParser({ preserveOrder: true, ignoreAttributes: false, processEntities: false });
  const check = prepareImport(doc);
  if (!check.transaction || !check.mapped) throw new Error(`the benchmark document is invalid: ${JSON.stringify(check.issues)}`);
  const root = parseXml(text);
  const mapped = check.mapped;

  const r = rates({
    bareParse: () => bare.parse(text),
    decode: () => decodeDocument(doc),
    parse: () => parseXml(text),
    validate: () => validateParsed(root),
    map: () => cdaToFhir(root),
    transaction: () => toTransaction(mapped, doc),
    importPreparation: () => prepareImport(doc),
  });
  const bareParse = r.bareParse!;
  const all = r.importPreparation!;
  const parse = r.parse!;
  const result = {
    documentBytes: doc.length,
    resourcesPerDocument: (check.transaction.entry as unknown[]).length,
    perCorePerSecond: { bareParse: Math.round(bareParse.cpu), parseXml: Math.round(parse.cpu), importPreparation: Math.round(all.cpu) },
    wallClockPerSecond: { bareParse: Math.round(bareParse.wall), parseXml: Math.round(parse.wall), importPreparation: Math.round(all.wall) },
    cpuMicrosecondsPerDocument: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.microsPerDocument])),
    importTimeOverBareParse: Number((bareParse.cpu / all.cpu).toFixed(2)),
    parseTimeOverBareParse: Number((bareParse.cpu / parse.cpu).toFixed(2)),
    seconds,
    machine: machine(),
    commit: commit(),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Peak memory of preparing one big document. The document is written to a file by this process
 * and read by a fresh one (with a collector it can call), so the baseline holds nothing but the
 * program and the document's bytes; the peak is the kernel's high-water mark of resident memory.
 */
function big(megabytes: number): void {
  const file = path.join(os.tmpdir(), `cda-bench-${process.pid}.xml`);
  writeFileSync(file, labReport(megabytes * 1024 * 1024));
  try {
    execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--big-child', file], { stdio: 'inherit' });
  } finally {
    rmSync(file, { force: true });
  }
}

function bigChild(file: string): void {
  const gc = (globalThis as { gc?: () => void }).gc as () => void;
  const doc = readFileSync(file);
  gc();
  const base = process.memoryUsage();
  const highWater = () => process.resourceUsage().maxRSS * 1024;
  const baseHighWater = highWater();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const prepared = prepareImport(doc);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const prepareHighWater = highWater();
  gc();
  const held = process.memoryUsage();
  // What the command-line converter does next: the transaction as one JSON text.
  const serialised = JSON.stringify(prepared.transaction);
  const jsonHighWater = highWater();
  const mb = (n: number) => Math.round(n / 1e5) / 10;
  const times = (n: number) => Number((n / doc.length).toFixed(1));
  const heap = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external + m.arrayBuffers;
  const result = {
    documentBytes: doc.length,
    resources: (prepared.transaction?.entry as unknown[] | undefined)?.length ?? 0,
    blockingIssues: prepared.issues.filter((i) => i.severity === 'fatal' || i.severity === 'error').length,
    serialisedCharacters: serialised.length,
    seconds: { wall: Number(elapsed.toFixed(2)), cpu: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)) },
    baselineMB: { rss: mb(base.rss), highWaterRss: mb(baseHighWater), heapAndBuffers: mb(heap(base)) },
    peakRssAboveBaseline: {
      prepareImport: { MB: mb(prepareHighWater - base.rss), timesDocument: times(prepareHighWater - base.rss) },
      thenJsonSerialisation: { MB: mb(jsonHighWater - base.rss), timesDocument: times(jsonHighWater - base.rss) },
    },
    heldAfterPrepareImport: { MB: mb(heap(held) - heap(base)), timesDocument: times(heap(held) - heap(base)), what: 'heap and buffers the result keeps (mapped resources, transaction with the base64 Binary) after a full collection' },
    machine: machine(),
    commit: commit(),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** The benchmark document made distinct: its own document id, outpatient number and patient. */
function distinctDocument(template: string, n: number): Buffer {
  const pad = (v: number) => String(v).padStart(2, '0');
  const born = `${1950 + (n % 50)}${pad((Math.floor(n / 50) % 12) + 1)}${pad((Math.floor(n / 600) % 28) + 1)}`;
  const first17 = `440106${born}${String(Math.floor(n / 16800) % 1000).padStart(3, '0')}`;
  const residentId = first17 + residentIdCheckChar(first17);
  return Buffer.from(
    template
      .replace('extension="LAB-2024-000123"', `extension="BENCH-${process.pid}-${n}"`)
      .replace('extension="MZ0301009"', `extension="BENCH-MZ-${process.pid}-${n}"`)
      .replace('extension="440106199203150022"', `extension="${residentId}"`),
  );
}

async function overHttp(base: string): Promise<void> {
  const documents = Number(argument('--documents')) || 200;
  const clients = Number(argument('--clients')) || 8;
  const template = labReport(20 * 1024).toString('utf8');
  let next = 0;
  const latencies: number[] = [];
  const post = async (n: number) => {
    const t = process.hrtime.bigint();
    const res = await fetch(`${base.replace(/\/+$/, '')}/$cda-import`, { method: 'POST', headers: { 'content-type': 'application/hl7-cda+xml' }, body: distinctDocument(template, n) });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`$cda-import answered ${res.status}: ${body.slice(0, 500)}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const warmUp = 10;
  for (let i = 0; i < warmUp; i++) await post(next++);
  const first = next;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < first + documents) latencies.push(await post(next++));
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  const result = {
    documents,
    clients,
    warmUp,
    documentBytes: Buffer.byteLength(template),
    documentsPerSecond: Number((documents / seconds).toFixed(1)),
    latencyMs: { p50: at(0.5), p90: at(0.9), max: at(1) },
    machine: machine(),
    commit: commit(),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

const http = argument('--http');
const child = argument('--big-child');
if (http) await overHttp(http);
else if (child) bigChild(child);
else if (process.argv.includes('--big')) big(Number(argument('--big')) || 20);
else throughput();
