/**
 * Latency and outcome of one query's requests. Only answered 2xx requests enter the latency
 * figures: a 400 for an unsupported parameter comes back fast and would flatter them. Errors are
 * kept by kind (`HTTP 400`, `network`, …) with the first message of each, for the report.
 */
import { Histogram } from '../histogram.js';

export interface StatsSummary {
  requests: number;
  ok: number;
  errors: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Mean of `Bundle.total` (or of the entries, without a total) where the answers were parsed. */
  meanMatches?: number;
  /** Per kind: how many, and the first message. */
  errorKinds: Record<string, { count: number; message: string }>;
  /** The request that took longest, for the query-plan pass. */
  slowestPath?: string;
}

export class QueryStats {
  private readonly histogram = new Histogram();
  private sumMs = 0;
  private maxMs = 0;
  private slowestPath: string | undefined;
  private matches = 0;
  private counted = 0;
  private errors = 0;
  private readonly errorKinds: Record<string, { count: number; message: string }> = {};

  ok(ms: number, path: string, matches?: number): void {
    this.histogram.recordMicros(ms * 1000);
    this.sumMs += ms;
    if (ms > this.maxMs) {
      this.maxMs = ms;
      this.slowestPath = path;
    }
    if (matches !== undefined) {
      this.matches += matches;
      this.counted++;
    }
  }

  error(kind: string, message: string): void {
    this.errors++;
    const seen = this.errorKinds[kind];
    if (seen) seen.count++;
    else this.errorKinds[kind] = { count: 1, message };
  }

  summary(): StatsSummary {
    const ok = this.histogram.count;
    // A bucket's midpoint can lie above the largest value in it.
    const quantile = (q: number) => Math.min(this.histogram.quantileMs(q), this.maxMs);
    return {
      requests: ok + this.errors,
      ok,
      errors: this.errors,
      meanMs: ok ? this.sumMs / ok : 0,
      p50Ms: quantile(0.5),
      p95Ms: quantile(0.95),
      p99Ms: quantile(0.99),
      maxMs: this.maxMs,
      ...(this.counted ? { meanMatches: this.matches / this.counted } : {}),
      errorKinds: this.errorKinds,
      ...(this.slowestPath !== undefined ? { slowestPath: this.slowestPath } : {}),
    };
  }
}
