/**
 * The synthetic dataset as FHIR transaction Bundles: first the shared reference data, then one
 * bundle per patient. The output is a pure function of the options: no clock, no Math.random().
 */
import type { Bundle } from '@medplum/fhirtypes';
import { conditionalPost } from './builders.js';
import { clinicalEntries } from './clinical.js';
import { createPerson } from './people.js';
import { Random, type Seed } from './random.js';
import { providers, referenceBundle } from './reference.js';
import { DatasetState } from './state.js';
import { ID } from './systems.js';
import { dayNumber } from './time.js';

export interface DatasetOptions {
  /** Number of patients, hence of patient bundles. */
  patients: number;
  /** Same seed, same bytes. Default 'qiao'. */
  seed?: Seed;
  /** YYYY-MM-DD: ages are counted on this day and the first visits fall in the 60 days after it. Default 2024-01-01. */
  startDate?: string;
  /**
   * Multiplies each patient's number of visits (rounded; at least one), hence their resources:
   * about 16 per patient at 1 (the default), about 100 at 6.7. A patient's care then spans
   * proportionally more time. The default draws exactly what a dataset without it draws.
   */
  visitScale?: number;
}

const DEFAULT_SEED = 'qiao';
const DEFAULT_START_DATE = '2024-01-01';

/** The reference data: Organizations and Practitioners, created only if absent. */
export function* referenceBundles(): Generator<Bundle> {
  yield referenceBundle();
}

/**
 * One transaction per patient: the Patient (created only if its resident ID is new) and its care.
 * The options are checked when this is called, not when the first bundle is drawn.
 */
export function patientBundles(options: DatasetOptions): Generator<Bundle> {
  const { patients, seed = DEFAULT_SEED, startDate = DEFAULT_START_DATE, visitScale = 1 } = options;
  if (!Number.isSafeInteger(patients) || patients < 0) throw new RangeError(`patients must be a whole number ≥ 0, got ${patients}`);
  if (!(visitScale > 0 && Number.isFinite(visitScale))) throw new RangeError(`visitScale must be a number > 0, got ${visitScale}`);
  return generatePatients(patients, seed, dayNumber(startDate), visitScale);
}

function* generatePatients(patients: number, seed: Seed, startDay: number, visitScale: number): Generator<Bundle> {
  const state = new DatasetState(seed);
  const homes = providers().filter((p) => p.row.kind === 'primary');
  for (let i = 0; i < patients; i++) {
    // A stream per patient: patient i does not change when the code that draws for patient i−1 does.
    const rng = new Random(seed, 'patient', i);
    const person = createPerson(rng, state, homes, startDay);
    yield {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        conditionalPost(person.fullUrl, person.resource, { system: ID.residentId, value: person.residentId }),
        ...clinicalEntries(rng, state, person, startDay, visitScale),
      ],
    };
  }
}

/** The whole dataset: reference bundle(s) first, then the patient bundles. */
export function generateDataset(options: DatasetOptions): Generator<Bundle> {
  const patients = patientBundles(options);
  return (function* () {
    yield* referenceBundles();
    yield* patients;
  })();
}

/** What a new server loads on its first start: 20 patients with a fixed seed. */
export function demoDataset(): Generator<Bundle> {
  return generateDataset({ patients: 20, seed: 'qiao-demo' });
}
