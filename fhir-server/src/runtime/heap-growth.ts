/**
 * How much room V8 leaves the old generation after a full collection. The server keeps a large,
 * long-lived heap (FHIR definitions, profiles, terminology: ≈ 160 MB) and allocates little
 * JavaScript while it receives images, so V8 gives it its smallest growth factor, ≈ 1.2, which is
 * ≈ 30 MB of room — less than the young generation once that has grown to its largest (32 MB). V8
 * then starts marking the whole heap whenever the room is below one young generation, that is
 * continuously: measured on C-STORE of 512 KiB CT slices, 2–6 full collections per 100 slices and
 * twice the CPU per slice (docs/benchmarks.md, seventh session). Half the retained heap again as
 * room (≈ 80 MB more memory at most) leaves no full collection between start and idle.
 */
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Sets V8's heap growth unless the operator gave `--heap-growing-percent` on the command line. */
export function setHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
