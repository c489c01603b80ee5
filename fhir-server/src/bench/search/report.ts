/**
 * The search benchmark's results: the targets with PASS/MISS, and their Markdown rendering (the
 * JSON file is the report object itself).
 */
import { CONTENTION_CORES, type CpuUse } from '../cpu.js';
import type { Machine } from '../machine.js';
import { cpuText, whole } from '../report.js';
import { CLIENTS, type MixResult } from './concurrent.js';
import type { DatasetSpec } from './dataset.js';
import type { QueryPlan } from './explain.js';
import type { LoadSummary } from './load-dataset.js';
import { statementsMarkdown, type StatementProfile } from './statements.js';
import type { StatsSummary } from './stats.js';

export const ONE_CLIENT_P95_MS = 20;
export const MIX_MEAN_MS = 170;

export interface SearchReport {
  date: string;
  command: string;
  revision: string;
  machine: Machine;
  /** Wall time of the whole run, seconds. */
  seconds: number;
  dataset: { directory: string; spec: DatasetSpec; loadedAt: string; reused: boolean; migrated?: { fromSchema: number; at: string }; load: LoadSummary; databaseBytes: number };
  singleClient: { requestsPerQuery: number; rows: { name: string; title: string; stats: StatsSummary; pass: boolean }[]; cpu?: CpuUse };
  /** Absent when the run skipped it (`--seconds 0`). */
  mix?: MixResult;
  /** With `--statements`: PostgreSQL's statement statistics of the mix. */
  statements?: StatementProfile;
  targets: { label: string; pass: boolean; note?: string }[];
  plans: QueryPlan[];
}

/** A one-client row passes when every request was answered and its p95 is within the target. */
export function rowPasses(stats: StatsSummary): boolean {
  return stats.ok > 0 && stats.errors === 0 && stats.p95Ms <= ONE_CLIENT_P95_MS;
}

export function targets(rows: SearchReport['singleClient']['rows'], mix: MixResult | undefined): SearchReport['targets'] {
  const missed = rows.filter((r) => !r.pass);
  const failing = rows.filter((r) => r.stats.errors > 0).length;
  const oneClient = {
    label: `every query p95 ≤ ${ONE_CLIENT_P95_MS} ms with one client`,
    pass: missed.length === 0,
    ...(missed.length ? { note: `${missed.length} of ${rows.length} rows miss, ${failing} of them with errors` } : {}),
  };
  if (!mix) return [oneClient];
  return [
    oneClient,
    { label: `${mix.clients} clients: mean ≤ ${MIX_MEAN_MS} ms`, pass: mix.total.ok > 0 && mix.total.meanMs <= MIX_MEAN_MS },
    { label: `${mix.clients} clients: no errors`, pass: mix.total.errors === 0, ...(mix.total.errors ? { note: `${whole(mix.total.errors)} errors` } : {}) },
  ];
}

export function markdown(report: SearchReport): string {
  const m = report.machine;
  const d = report.dataset;
  const byType = Object.entries(d.load.byType).sort(([, a], [, b]) => b - a).map(([type, n]) => `${type} ${whole(n)}`).join(', ');
  const mix = report.mix;
  const mixByName = new Map(mix?.byQuery.map((q) => [q.name, q.stats]));
  const clients = mix?.clients ?? CLIENTS;
  return [
    `### Search benchmark of ${report.date.slice(0, 10)} (code ${report.revision})`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; Node ${m.node}; PostgreSQL ${m.postgres}; load average ${m.loadBefore.toFixed(2)} before the start.`,
    `Dataset: ${whole(d.spec.patients)} patients, ${whole(d.load.resources)} resources (${byType}); seed generator with seed \`${d.spec.seed}\`, start date ${d.spec.startDate}, visit scale ${d.spec.visitScale}. ` +
      `Loaded through the REST API (a transaction per patient, 4 clients) in ${Math.round(d.load.seconds)} s, ${whole(d.load.rate)} resources/s, on ${d.loadedAt.slice(0, 10)}; ` +
      `${d.migrated ? `migrated from schema ${d.migrated.fromSchema} by the server's migrations on ${d.migrated.at.slice(0, 10)}; ` : ''}` +
      `${(d.databaseBytes / 2 ** 30).toFixed(1)} GB in PostgreSQL` +
      `${d.reused ? `; this run reused it from \`${d.directory}\`` : ''}.`,
    `Command: \`${report.command}\` (${Math.round(report.seconds)} s).`,
    '',
    `Targets: ${report.targets.map((t) => `${t.label} **${t.pass ? 'PASS' : 'MISS'}**${t.note ? ` (${t.note})` : ''}`).join('; ')}.`,
    ...contention([report.singleClient.cpu, mix?.cpu]),
    '',
    `#### One client, ${report.singleClient.requestsPerQuery} requests per query`,
    '',
    'Latency from sending the request to the last byte of the answer, over the 2xx answers; matches: mean `total` of the answers (entries where there is none).',
    ...(report.singleClient.cpu ? ['', `CPU cores over the phase: ${cpuText(report.singleClient.cpu)} (server+PG+client (other)).`] : []),
    '',
    `| Query | Requests | Matches | p50 ms | p95 ms | max ms | Errors | p95 ≤ ${ONE_CLIENT_P95_MS} ms | ${clients} clients: p50 / p95 ms |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...report.singleClient.rows.map((r) => {
      const s = r.stats;
      const under = mixByName.get(r.name);
      return `| \`${r.name}\` | ${s.requests} | ${s.meanMatches === undefined ? '–' : s.meanMatches.toFixed(1)} | ${ms(s, s.p50Ms)} | ${ms(s, s.p95Ms)} | ${ms(s, s.maxMs)} | ${s.errors} | ${r.pass ? 'PASS' : 'MISS'} | ${under ? `${ms(under, under.p50Ms)} / ${ms(under, under.p95Ms)}` : ''} |`;
    }),
    '',
    ...mixTable(mix),
    ...(report.statements ? statementsMarkdown(report.statements) : []),
    ...errors(report),
    ...plans(report),
    '',
    '#### The queries',
    '',
    ...report.singleClient.rows.map((r) => `- \`${r.name}\`: ${r.title}`),
  ].join('\n');
}

function mixTable(mix: MixResult | undefined): string[] {
  if (!mix) return [`The ${CLIENTS}-client mix was skipped (\`--seconds 0\`).`];
  return [
    `#### ${mix.clients} clients running the mix for ${Math.round(mix.seconds)} s`,
    '',
    '| Requests | Throughput | Mean ms | p50 ms | p95 ms | p99 ms | max ms | Errors | CPU cores: server+PG+client (other) |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${whole(mix.total.requests)} | ${whole(mix.throughput)} req/s | ${ms(mix.total, mix.total.meanMs)} | ${ms(mix.total, mix.total.p50Ms)} | ${ms(mix.total, mix.total.p95Ms)} | ${ms(mix.total, mix.total.p99Ms)} | ${ms(mix.total, mix.total.maxMs)} | ${whole(mix.total.errors)} | ${mix.cpu ? cpuText(mix.cpu) : '–'} |`,
  ];
}

function errors(report: SearchReport): string[] {
  const mix = new Map(report.mix?.byQuery.map((q) => [q.name, q.stats]));
  const lines = report.singleClient.rows.flatMap((r) => {
    const kinds = (label: string, s: StatsSummary | undefined) =>
      Object.entries(s?.errorKinds ?? {}).map(([kind, e]) => `${label} ${whole(e.count)} × ${kind}: ${JSON.stringify(e.message.slice(0, 200))}`);
    const said = [...kinds('one client', r.stats), ...kinds(`${report.mix?.clients ?? CLIENTS} clients`, mix.get(r.name))];
    return said.length ? [`- \`${r.name}\` — ${said.join('; ')}`] : [];
  });
  return lines.length ? ['', '#### Errors', '', ...lines] : [];
}

function plans(report: SearchReport): string[] {
  if (report.plans.length === 0) return [];
  const p95 = new Map(report.singleClient.rows.map((r) => [r.name, r.stats.p95Ms]));
  return [
    '',
    `#### Query plans of the ${report.plans.length} slowest queries (one-client p95)`,
    '',
    "Each slowest request sent again with auto_explain on (EXPLAIN ANALYZE, BUFFERS); its longest statements. Parameters show as $n: PostgreSQL 15's auto_explain does not log their values.",
    ...report.plans.flatMap((plan, i) => [
      '',
      `##### ${i + 1}. \`${plan.name}\`: p95 ${(p95.get(plan.name) ?? 0).toFixed(1)} ms`,
      '',
      `\`GET ${plan.path}\`${plan.error ? ` — no plan: ${plan.error.slice(0, 300)}` : ` took ${plan.ms.toFixed(1)} ms under auto_explain.`}`,
      ...plan.statements.flatMap((s) => ['', '```text', `duration: ${s.durationMs.toFixed(3)} ms`, s.plan, '```']),
    ]),
  ];
}

function contention(uses: (CpuUse | undefined)[]): string[] {
  const worst = Math.max(0, ...uses.map((u) => u?.other ?? 0));
  return worst > CONTENTION_CORES ? ['', `**WARNING: other processes used up to ${worst.toFixed(2)} cores during the measurements; the figures are low by an unknown amount.**`] : [];
}

/** A latency, or a dash when nothing was answered. */
function ms(stats: StatsSummary, value: number): string {
  return stats.ok ? value.toFixed(1) : '–';
}
