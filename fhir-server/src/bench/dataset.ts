/**
 * The ingest workload. The runner (for Qiao) and the floor child each generate it, which gives the
 * same bundles in both: the generator is a pure function of its options.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { patientBundles, referenceBundles } from '../seed/bundles.js';

/** Another seed than the default one, so the warm-up patients are not those measured. */
const WARMUP_SEED = 'qiao-bench-warmup';

export interface IngestWorkload {
  /** Organizations and Practitioners that the patient bundles reference conditionally: loaded first, not timed. */
  reference: Bundle[];
  /** Posted after the reference data and before the measured bundles, not timed. */
  warmup: Bundle[];
  measured: Bundle[];
}

export function ingestWorkload(patients: number, warmupPatients: number): IngestWorkload {
  return {
    reference: [...referenceBundles()],
    warmup: [...patientBundles({ patients: warmupPatients, seed: WARMUP_SEED })],
    measured: [...patientBundles({ patients })],
  };
}

export function resourceCount(bundles: Bundle[]): number {
  return bundles.reduce((n, b) => n + (b.entry?.length ?? 0), 0);
}
