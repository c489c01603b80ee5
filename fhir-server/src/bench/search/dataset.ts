/**
 * The benchmark's dataset: the seed generator's patients, each given enough visits that the
 * dataset reaches the resource count asked for. Everything here is a pure function of the
 * options, so a cached load can be recognised by what the generator would produce.
 */
import { createHash } from 'node:crypto';
import { patientBundles, referenceBundles, type DatasetOptions } from '../../seed/bundles.js';
import { resourceCount } from '../dataset.js';

export type DatasetSpec = Required<DatasetOptions> & { seed: string };

const SEED = 'qiao';
/**
 * About a hundred resources per patient span five years of visits: starting in 2020 keeps them
 * in the past, where a real record's are, so `date` ranges and `_sort=-date` see a history.
 */
const START_DATE = '2020-01-01';
/** Patients generated to find the visit scale: the first 200 have 8 % fewer resources than the first 10,000. */
const CALIBRATION_PATIENTS = 1000;

/** The dataset of `patients` patients with about `resources` resources in their bundles. */
export function datasetSpec(patients: number, resources: number): DatasetSpec {
  const base = { patients: Math.min(patients, CALIBRATION_PATIENTS), seed: SEED, startDate: START_DATE };
  const perPatient = (visitScale: number) => resourceCount([...patientBundles({ ...base, visitScale })]) / base.patients;
  const wanted = resources / patients;
  // Resources per patient grow about linearly with the scale, beyond the Patient itself.
  let visitScale = 1;
  for (let i = 0; i < 3; i++) visitScale *= (wanted - 1) / (perPatient(visitScale) - 1);
  return { patients, seed: SEED, startDate: START_DATE, visitScale: Math.max(0.01, Math.round(visitScale * 100) / 100) };
}

/** A short hash of what the generator makes for this spec: a change to the generator changes it. */
export function generatorFingerprint(spec: DatasetSpec): string {
  const hash = createHash('sha256');
  for (const bundle of referenceBundles()) hash.update(JSON.stringify(bundle));
  for (const bundle of patientBundles({ ...spec, patients: Math.min(spec.patients, 20) })) hash.update(JSON.stringify(bundle));
  return hash.digest('hex').slice(0, 12);
}
