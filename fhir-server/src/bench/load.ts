/**
 * A closed-loop load generator: `concurrency` virtual users, each starting its next request as
 * soon as the previous one answered. Throughput is then what the server sustains at that
 * concurrency, and latency is measured per request.
 */
import type { CpuMeter, CpuUse } from './cpu.js';
import { Histogram } from './histogram.js';

export interface LoadOptions {
  concurrency: number;
  /** Users start no new step after this long; without it they run until `step` has no more work. */
  durationMs?: number;
  /**
   * One request by user `vu`: resolves to the units of work it completed (1 for a read, the
   * resource count for a transaction), or to undefined when that user has no work left.
   */
  step(vu: number): Promise<number | undefined>;
  /** Measures CPU use over the same window. */
  cpu?: CpuMeter;
}

export interface LoadResult {
  /** Work units completed (resources, or requests). */
  units: number;
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  /** Units per second. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  cpu?: CpuUse;
}

export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  const histogram = new Histogram();
  let units = 0;
  let errors = 0;
  let firstError: string | undefined;
  const endCpu = await options.cpu?.begin();
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;

  const user = async (vu: number): Promise<void> => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const done = await options.step(vu);
        if (done === undefined) return;
        histogram.recordMicros((performance.now() - sent) * 1000);
        units += done;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, vu) => user(vu)));

  const seconds = (performance.now() - started) / 1000;
  const cpu = endCpu?.();
  return {
    units,
    requests: histogram.count,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    seconds,
    rate: units / seconds,
    p50Ms: histogram.quantileMs(0.5),
    p99Ms: histogram.quantileMs(0.99),
    ...(cpu ? { cpu } : {}),
  };
}
