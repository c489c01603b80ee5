/**
 * The DICOM benchmark's table: each figure for Qiao and Orthanc, the ratio Qiao/Orthanc, and the
 * issue's target. Without Orthanc in the run, relative targets are judged against the figure the
 * issue measured for Orthanc 1.10 on this kind of machine, and say so.
 */
import type { Measurement } from './measure.js';

interface Row {
  label: string;
  unit: string;
  value(m: Measurement): number;
  /** Orthanc 1.10 + DICOMweb 1.7 as measured in issue 6 (2 cores, loopback). */
  issueOrthanc: number;
  target: string;
  /** Undefined for a row that only explains others (no target of its own). */
  met?(qiao: number, orthanc: number): boolean;
}

// Not measured in this run (`--ingest-only`): no figure, and no verdict.
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const ROWS: Row[] = [
  { label: 'STOW-RS, 100-instance series (median of runs)', unit: 'instances/s', value: (m) => median(m.stowInstancesPerS), issueOrthanc: 175, target: '≥ 1.5× Orthanc', met: (q, o) => q >= 1.5 * o },
  { label: 'STOW-RS throughput (median of runs)', unit: 'MB/s', value: (m) => median(m.stowMBPerS), issueOrthanc: 92, target: '≥ 1.5× Orthanc', met: (q, o) => q >= 1.5 * o },
  { label: 'C-STORE, storescu, one association (median of runs)', unit: 'instances/s', value: (m) => median(m.cstoreInstancesPerS), issueOrthanc: 150, target: '≥ 1.5× Orthanc', met: (q, o) => q >= 1.5 * o },
  // What each server process spent per instance (Qiao's PostgreSQL not included; Orthanc's SQLite is in-process).
  { label: 'STOW-RS, server CPU per instance (median of runs)', unit: 'ms', value: (m) => median(m.stowCpuMsPerInstance), issueOrthanc: NaN, target: '' },
  { label: 'C-STORE, server CPU per instance (median of runs)', unit: 'ms', value: (m) => median(m.cstoreCpuMsPerInstance), issueOrthanc: NaN, target: '' },
  { label: 'QIDO-RS /studies', unit: 'ms p50', value: (m) => m.qidoStudiesP50Ms, issueOrthanc: 2.2, target: '≤ Orthanc', met: (q, o) => q <= o },
  { label: 'Series metadata, 100 instances', unit: 'ms p50', value: (m) => m.seriesMetadataP50Ms, issueOrthanc: 78, target: '≤ 10 ms', met: (q) => q <= 10 },
  { label: 'Frames, one client (frame 1 of each slice, median of passes)', unit: 'frames/s', value: (m) => median(m.framesPerS), issueOrthanc: 318, target: '≥ 1.5× Orthanc', met: (q, o) => q >= 1.5 * o },
  { label: 'One random frame of the 100-frame instance', unit: 'ms p50', value: (m) => m.multiframeFrameP50Ms, issueOrthanc: 220, target: '≤ 5 ms', met: (q) => q <= 5 },
];

export interface ReportInput {
  qiao: Measurement;
  orthanc?: Measurement;
  /** Each round's measurements, when there were rounds: their ratios are listed under the table. */
  rounds?: { qiao: Measurement[]; orthanc: Measurement[] };
  /** Why Orthanc is not in the table, when it is not. */
  orthancMissing?: string;
}

const fmt = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2));

function cells(input: ReportInput): string[][] {
  return ROWS.map((row) => {
    const q = row.value(input.qiao);
    const o = input.orthanc ? row.value(input.orthanc) : row.issueOrthanc;
    const mark = input.orthanc ? '' : '*';
    return [row.label, row.unit, fmt(q), `${fmt(o)}${mark}`, `${fmt(Number.isFinite(q) && Number.isFinite(o) ? q / o : NaN)}${mark}`, row.target, !row.met || !Number.isFinite(q) ? '' : row.met(q, o) ? 'met' : 'MISSED'];
  });
}

const HEADER = ['measure', 'unit', 'Qiao', 'Orthanc', 'Qiao/Orthanc', 'target', ''];

export function consoleTable(input: ReportInput): string {
  const rows = [HEADER, ...cells(input)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  const lines = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd());
  return [...lines, ...footnote(input)].join('\n');
}

export function markdown(input: ReportInput): string {
  const rows = [HEADER, HEADER.map(() => '---'), ...cells(input)];
  return [...rows.map((r) => `| ${r.join(' | ')} |`), ...footnote(input)].join('\n');
}

function footnote(input: ReportInput): string[] {
  if (!input.orthanc) return ['', `* Orthanc not measured in this run (${input.orthancMissing ?? 'skipped'}): its figure is the one issue 6 gives for Orthanc 1.10.`];
  const { qiao = [], orthanc = [] } = input.rounds ?? {};
  if (qiao.length < 2 || orthanc.length !== qiao.length) return [];
  // MB/s moves with instances/s (the same bytes): one line for STOW-RS.
  const ratios = ROWS.filter((row) => row.target.includes('×') && row.unit !== 'MB/s' && Number.isFinite(row.value(input.qiao))).map((row) => {
    const each = qiao.map((q, i) => fmt(row.value(q) / row.value(orthanc[i] as Measurement)));
    return `${row.label.split(' (')[0]}: ${each.join(', ')}`;
  });
  return ['', 'Qiao/Orthanc in each round:', ...ratios.map((line) => `- ${line}`)];
}

/** The runs of several rounds as one measurement: every run's figure, and the median of the rounds' latencies. */
export function pool(runs: readonly Measurement[]): Measurement {
  const all = (pick: (m: Measurement) => number[]) => runs.flatMap(pick);
  const mid = (pick: (m: Measurement) => number) => median(runs.map(pick).filter(Number.isFinite));
  return {
    stowInstancesPerS: all((m) => m.stowInstancesPerS),
    stowMBPerS: all((m) => m.stowMBPerS),
    cstoreInstancesPerS: all((m) => m.cstoreInstancesPerS),
    stowCpuMsPerInstance: all((m) => m.stowCpuMsPerInstance),
    cstoreCpuMsPerInstance: all((m) => m.cstoreCpuMsPerInstance),
    qidoStudiesP50Ms: mid((m) => m.qidoStudiesP50Ms),
    seriesMetadataP50Ms: mid((m) => m.seriesMetadataP50Ms),
    framesPerS: all((m) => m.framesPerS),
    multiframeFrameP50Ms: mid((m) => m.multiframeFrameP50Ms),
  };
}
