/**
 * `npm run bench:cda [-- --seconds 3]`: in-process CDA → FHIR mapping of a typical 20 KB 检验报告,
 * on one core (one thread), against the bare fast-xml-parser parse of the same text. The document
 * is the synthetic test fixture with its lab items repeated up to ~20 KB.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { XMLParser } from 'fast-xml-parser';
import { prepareImport } from '../index.js';
import { parseXml } from '../xml/dom.js';

const loadBefore = os.loadavg()[0];
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3;
const fixture = readFileSync(new URL('../../test/fixtures/C0007-lab-report.xml', import.meta.url), 'utf8');

function typicalDocument(targetBytes: number): Buffer {
  const start = fixture.indexOf('<entry>\n            <organizer');
  const end = fixture.lastIndexOf('</entry>') + '</entry>'.length;
  const items = fixture.slice(start, end);
  let body = items;
  while (Buffer.byteLength(fixture.slice(0, start) + body + fixture.slice(end)) < targetBytes) body += `\n          ${items}`;
  return Buffer.from(fixture.slice(0, start) + body + fixture.slice(end));
}

/**
 * Documents per second of CPU time this process used: "per core" even when other work shares
 * the machine (wall-clock rates are reported too, and drop with the load).
 */
function rate(label: string, work: () => unknown): { cpu: number; wall: number } {
  for (let i = 0; i < 50; i++) work();
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const until = t0 + BigInt(seconds * 1e9);
  let now = t0;
  while (now < until) {
    for (let i = 0; i < 20; i++) work();
    n += 20;
    now = process.hrtime.bigint();
  }
  const cpuUsed = process.cpuUsage(cpu0);
  const cpu = n / ((cpuUsed.user + cpuUsed.system) / 1e6);
  const wall = n / (Number(now - t0) / 1e9);
  process.stderr.write(`${label}: ${cpu.toFixed(0)}/s per core (CPU time), ${wall.toFixed(0)}/s wall clock\n`);
  return { cpu, wall };
}

const doc = typicalDocument(20 * 1024);
const text = doc.toString('utf8');
const bare = new XMLParser({ preserveOrder: true, ignoreAttributes: false, processEntities: false });
const check = prepareImport(doc);
if (!check.transaction) throw new Error(`the benchmark document is invalid: ${JSON.stringify(check.issues)}`);

const parseRate = rate('bare fast-xml-parser parse', () => bare.parse(text));
const oursRate = rate('well-formedness check + parse (parseXml)', () => parseXml(text));
const mapRate = rate('full import preparation (decode, parse, validate, map, transaction)', () => prepareImport(doc));

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
const result = {
  documentBytes: doc.length,
  resourcesPerDocument: (check.transaction.entry as unknown[]).length,
  perCorePerSecond: { bareParse: Math.round(parseRate.cpu), parseXml: Math.round(oursRate.cpu), importPreparation: Math.round(mapRate.cpu) },
  wallClockPerSecond: { bareParse: Math.round(parseRate.wall), parseXml: Math.round(oursRate.wall), importPreparation: Math.round(mapRate.wall) },
  importTimeOverBareParse: Number((parseRate.cpu / mapRate.cpu).toFixed(2)),
  seconds,
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, loadBefore },
  commit,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
