/**
 * Loads the dataset through Qiao's REST API as a client would: the reference data, then one
 * transaction Bundle per patient, `CONCURRENCY` at a time. The bundles are generated as they are
 * posted: a million resources do not fit in the runner's heap as text.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { patientBundles, referenceBundles } from '../../seed/bundles.js';
import { expectStatus, HttpClient } from '../http-client.js';
import { closedLoop } from '../load.js';
import type { DatasetSpec } from './dataset.js';
import { isSampled, patientFacts, type PatientFacts } from './facts.js';

const CONCURRENCY = 4;
const HEADERS = { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json', Prefer: 'return=minimal' };

export interface LoadSummary {
  bundles: number;
  /** Resources the server reported stored, in all and by type. */
  resources: number;
  byType: Record<string, number>;
  seconds: number;
  /** Resources per second. */
  rate: number;
}

export async function loadDataset(baseUrl: string, spec: DatasetSpec, progress: (line: string) => void): Promise<{ summary: LoadSummary; facts: PatientFacts[] }> {
  const client = new HttpClient(baseUrl, CONCURRENCY);
  const byType: Record<string, number> = {};
  /** By patient index: bundles complete out of order, and the queries draw from this list by position. */
  const sampled = new Map<number, PatientFacts>();
  let posted = 0;
  /** Posts one bundle; resolves to the Patient's id when its first entry is a Patient. */
  const post = async (bundle: Bundle, what: string): Promise<string | undefined> => {
    const response = expectStatus(await client.request('POST', '/fhir', JSON.stringify(bundle), HEADERS), 200, what);
    posted++;
    const answers = (JSON.parse(response.text) as Bundle).entry ?? [];
    (bundle.entry ?? []).forEach((entry, i) => {
      const type = entry.resource?.resourceType;
      if (type && answers[i]?.response?.status?.startsWith('20')) byType[type] = (byType[type] ?? 0) + 1;
    });
    // Location: Patient/{id}/_history/{version}
    return answers[0]?.response?.location?.split('/')[1];
  };
  try {
    const started = performance.now();
    // The patient bundles refer to the providers by conditional reference: those must exist first.
    for (const bundle of referenceBundles()) await post(bundle, 'reference data');
    const bundles = patientBundles(spec);
    const every = Math.max(1, Math.floor(spec.patients / 20));
    let next = 0;
    let failed = false;
    const result = await closedLoop({
      concurrency: CONCURRENCY,
      async step() {
        const drawn = failed ? undefined : bundles.next();
        if (!drawn || drawn.done) return undefined;
        const index = next++;
        try {
          const id = await post(drawn.value, `transaction of patient ${index}`);
          if (isSampled(index, spec.patients)) {
            if (!id) throw new Error(`transaction of patient ${index}: no Patient location in the response`);
            sampled.set(index, patientFacts(drawn.value, id));
          }
        } catch (error) {
          // A half-loaded dataset is no dataset: stop, and let the run fail.
          failed = true;
          throw error;
        }
        if ((index + 1) % every === 0) progress(`loaded ${index + 1} of ${spec.patients} patients, ${total(byType).toLocaleString('en-US')} resources, ${rate(byType, started)} resources/s`);
        return drawn.value.entry?.length ?? 0;
      },
    });
    if (result.errors > 0) throw new Error(`loading failed: ${result.firstError}`);
    const seconds = (performance.now() - started) / 1000;
    const facts = [...sampled.entries()].sort(([a], [b]) => a - b).map(([, f]) => f);
    return { summary: { bundles: posted, resources: total(byType), byType, seconds, rate: total(byType) / seconds }, facts };
  } finally {
    client.close();
  }
}

function total(byType: Record<string, number>): number {
  return Object.values(byType).reduce((a, b) => a + b, 0);
}

function rate(byType: Record<string, number>, started: number): number {
  return Math.round(total(byType) / ((performance.now() - started) / 1000));
}
