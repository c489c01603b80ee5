/**
 * Results: medians over the measured runs, the targets with PASS/MISS, and three renderings of the
 * same figures — a console table, a Markdown section for docs/benchmarks.md, and JSON.
 */
import { CONTENTION_CORES, type CpuUse } from './cpu.js';
import type { LoadResult } from './load.js';
import type { Machine } from './machine.js';

export interface RunResult {
  qiao: LoadResult;
  /** The bare floor measured in the same run, where the scenario has one. */
  floor?: LoadResult;
}

export type ScenarioKey = 'ingest' | 'read' | 'crud';

export interface ScenarioResult {
  key: ScenarioKey;
  title: string;
  unit: string;
  concurrency: number;
  runs: RunResult[];
}

export interface Summary {
  /** Medians over the runs. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  floorRate?: number;
  /** Median over the runs of Qiao's rate / the floor's rate in the same run. */
  ratio?: number;
  errors: number;
  /** Medians over the runs, while Qiao was measured and while the floor was. */
  cpu?: CpuUse;
  floorCpu?: CpuUse;
}


interface Target {
  label: string;
  met(s: Summary): boolean;
}

const TARGETS: Record<ScenarioKey, Target[]> = {
  ingest: [
    { label: '≥ 2,000 resources/s', met: (s) => s.rate >= 2000 },
    { label: '≥ 35 % of floor', met: (s) => (s.ratio ?? 0) >= 0.35 },
  ],
  read: [
    { label: '≥ 50 % of floor', met: (s) => (s.ratio ?? 0) >= 0.5 },
    { label: 'p99 < 20 ms', met: (s) => s.p99Ms < 20 },
  ],
  crud: [{ label: '≥ 1,500 req/s', met: (s) => s.rate >= 1500 }],
};

/** A failed request makes every figure of its scenario suspect. */
const NO_ERRORS: Target = { label: 'no failed requests', met: (s) => s.errors === 0 };

export interface Report {
  date: string;
  command: string;
  /** The commit measured (see codeRevision). */
  revision: string;
  machine: Machine;
  dataset: { patients: number; bundles: number; resources: number };
  /** Wall time of the whole benchmark, seconds. */
  seconds: number;
  scenarios: (ScenarioResult & { summary: Summary; targets: { label: string; pass: boolean }[] })[];
}

export function buildReport(base: Omit<Report, 'scenarios'>, scenarios: ScenarioResult[]): Report {
  return {
    ...base,
    scenarios: scenarios.map((scenario) => {
      const summary = summarize(scenario.runs);
      const targets = [...TARGETS[scenario.key], NO_ERRORS].map((t) => ({ label: t.label, pass: t.met(summary) }));
      return { ...scenario, summary, targets };
    }),
  };
}

function summarize(runs: RunResult[]): Summary {
  const floors = runs.flatMap((r) => (r.floor ? [r.floor] : []));
  return {
    rate: median(runs.map((r) => r.qiao.rate)),
    p50Ms: median(runs.map((r) => r.qiao.p50Ms)),
    p99Ms: median(runs.map((r) => r.qiao.p99Ms)),
    ...(floors.length === runs.length
      ? { floorRate: median(floors.map((f) => f.rate)), ratio: median(runs.map((r) => r.qiao.rate / (r.floor as LoadResult).rate)) }
      : {}),
    errors: runs.reduce((n, r) => n + r.qiao.errors + (r.floor?.errors ?? 0), 0),
    ...medianCpu('cpu', runs.map((r) => r.qiao.cpu)),
    ...medianCpu('floorCpu', runs.map((r) => r.floor?.cpu)),
  };
}

function medianCpu<K extends string>(key: K, uses: (CpuUse | undefined)[]): Partial<Record<K, CpuUse>> {
  const known = uses.filter((u): u is CpuUse => u !== undefined);
  if (known.length === 0 || known.length !== uses.length) return {};
  const of = (field: keyof CpuUse) => median(known.map((u) => u[field]));
  return { [key]: { server: of('server'), postgres: of('postgres'), client: of('client'), other: of('other') } } as Record<K, CpuUse>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const HEADER = ['Scenario', 'Qiao', 'p50 / p99 ms', 'Floor', 'Qiao/floor', 'CPU cores: server+PG+client (other)', 'Targets'];

function rows(report: Report): string[][] {
  return report.scenarios.map((s) => [
    `${s.title} (c=${s.concurrency})`,
    `${whole(s.summary.rate)} ${s.unit}`,
    `${s.summary.p50Ms.toFixed(1)} / ${s.summary.p99Ms.toFixed(1)}`,
    s.summary.floorRate === undefined ? '–' : `${whole(s.summary.floorRate)} ${s.unit}`,
    s.summary.ratio === undefined ? '–' : `${Math.round(s.summary.ratio * 100)} %`,
    s.summary.cpu ? cpuText(s.summary.cpu) : '–',
    s.targets.map((t) => `${t.label} ${t.pass ? 'PASS' : 'MISS'}`).join('; '),
  ]);
}

/** CPU cores as `server+postgres+client (other)`. */
export function cpuText(cpu: CpuUse): string {
  return `${cpu.server.toFixed(2)}+${cpu.postgres.toFixed(2)}+${cpu.client.toFixed(2)} (${cpu.other.toFixed(2)})`;
}

/** A warning when other processes used more than CONTENTION_CORES during any measurement. */
function contention(report: Report): string[] {
  const others = report.scenarios.flatMap((s) => s.runs.flatMap((r) => [r.qiao.cpu?.other ?? 0, r.floor?.cpu?.other ?? 0]));
  const worst = Math.max(0, ...others);
  return worst > CONTENTION_CORES ? [`WARNING: other processes used up to ${worst.toFixed(2)} cores during the measurements; the figures are low by an unknown amount.`] : [];
}

export function consoleTable(report: Report): string {
  const table = [HEADER, ...rows(report)];
  const widths = HEADER.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  return [...table.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()), ...contention(report)].join('\n');
}

export function markdown(report: Report): string {
  const m = report.machine;
  const d = report.dataset;
  const lines = [
    `### Results of ${report.date.slice(0, 10)}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; Node ${m.node}; PostgreSQL ${m.postgres}; load average ${m.loadBefore.toFixed(2)} before the start.`,
    `Code: ${report.revision}. Dataset: ${d.patients} patients, ${d.bundles} transaction bundles, ${whole(d.resources)} resources. Command: \`${report.command}\` (${Math.round(report.seconds)} s).`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map(() => '---').join('|')}|`,
    ...rows(report).map((r) => `| ${r.join(' | ')} |`),
    ...contention(report).flatMap((line) => ['', `**${line}**`]),
    '',
    'Every run, Qiao / floor [CPU cores used by the server under test + PostgreSQL + the load generator (other processes)]:',
    '',
    ...report.scenarios.map((s) => `- ${s.title}: ${s.runs.map((r) => [r.qiao, r.floor].flatMap((x) => (x ? [runText(x)] : [])).join(' / ')).join(', ')} ${s.unit}`),
  ];
  return lines.join('\n');
}

function runText(result: LoadResult): string {
  return result.cpu ? `${whole(result.rate)} [${cpuText(result.cpu)}]` : whole(result.rate);
}

/** A count or rate as a whole number with thousands separators. */
export function whole(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
