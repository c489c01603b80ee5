/** What every scenario gets from the runner. */
import type { ThrowawayPostgres } from '../testing/throwaway-postgres.js';
import type { CpuMeter } from './cpu.js';
import type { BenchOptions } from './options.js';

export interface Bench {
  pg: ThrowawayPostgres;
  options: BenchOptions;
  progress(line: string): void;
  /** Measures the CPU use of `serverPid`, of PostgreSQL, of the runner and of the rest of the machine. */
  meter(serverPid: number): CpuMeter;
}
