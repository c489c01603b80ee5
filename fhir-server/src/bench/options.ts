/** Command line of `npm run bench [-- options]`. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { script } from './processes.js';

const USAGE = `usage: npm run bench [-- --patients N] [--runs N] [--seconds S] [--quick] [--profile]
  --patients N  patients in the ingest dataset (default 2000, about 31,500 resources)
  --runs N      measured runs per scenario, after a warm-up; the report gives the median (default 3)
  --seconds S   length of each read and CRUD run (default 10)
  --quick       a smoke run: 200 patients, 1 run of 3 s
  --profile     run the Qiao children under --cpu-prof; profiles go to .bench/profiles/`;

export interface BenchOptions {
  patients: number;
  /** Patients (of another seed) posted before each measured ingest, to warm up the JIT and the pool. */
  warmupPatients: number;
  runs: number;
  durationMs: number;
  warmupMs: number;
  /** Extra node flags for the Qiao children. */
  qiaoNodeArgs: string[];
  /** Repository root: `.bench/` is written there. */
  root: string;
}

type Flags = Record<string, { type: 'string' } | { type: 'boolean'; default: false }>;
type Values<F extends Flags> = { [K in keyof F]: F[K] extends { type: 'boolean' } ? boolean : string | undefined };

/**
 * Parses a benchmark's command line (`--help` and `--quick` included) and builds its options;
 * exits with the usage on --help (status 0) and on a bad argument (status 2).
 */
export function commandLine<F extends Flags, T>(argv: string[], usage: string, flags: F, build: (values: Values<F> & { quick: boolean }) => T): T {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { ...flags, quick: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> };
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return build(values as unknown as Values<F> & { quick: boolean });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

export function parseOptions(argv: string[]): BenchOptions {
  const flags = { patients: { type: 'string' }, runs: { type: 'string' }, seconds: { type: 'string' }, profile: { type: 'boolean', default: false } } as const;
  return commandLine(argv, USAGE, flags, (values) => {
    const quick = values.quick;
    const root = path.resolve(script('.'), '../..');
    return {
      patients: whole('patients', values.patients, quick ? 200 : 2000),
      warmupPatients: quick ? 20 : 100,
      runs: whole('runs', values.runs, quick ? 1 : 3),
      durationMs: whole('seconds', values.seconds, quick ? 3 : 10) * 1000,
      warmupMs: quick ? 1000 : 3000,
      qiaoNodeArgs: profileArgs(root, values.profile),
      root,
    };
  });
}

/** Node options of a Qiao under test: with `--profile`, a CPU profile written to .bench/profiles/ when it exits. */
export function profileArgs(root: string, profile: boolean): string[] {
  return profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, '.bench', 'profiles')}`] : [];
}

/** The value of `--name`, a whole number ≥ 1; `fallback` when it was not given. */
export function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new RangeError(`--${name} must be a whole number ≥ 1, got "${text}"`);
  return Number(text);
}
