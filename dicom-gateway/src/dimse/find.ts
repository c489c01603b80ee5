/**
 * Query/Retrieve C-FIND (PS3.4 C.4.1), patient root and study root, answered from the store's index
 * through the same queries as QIDO-RS: matching keys become the query's `match`, return keys its
 * `includeFields`, and each answer is cut down to exactly the keys asked for.
 */
import { tagOf } from '../dicom/dictionary.js';
import type { DicomJson } from '../dicom/json.js';
import { QueryError, type QidoQuery } from '../store/query.js';
import type { DicomStore } from '../store/store.js';
import { identifierKeys, matchString, naturalize, project, type Naturalized } from './identifier.js';

export type QueryStore = Pick<DicomStore, 'findStudies' | 'findSeries' | 'findInstances'>;

/** A C-FIND that cannot be answered, with the status to send (PS3.4 C.4.1.1.4) and why. */
export class FindFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const IDENTIFIER_DOES_NOT_MATCH = 0xa900;

const PATIENT_KEYS = ['00100010', '00100020', '00100021', '00100030', '00100040'];

/** Studies of one patient (PatientID + issuer) folded into one PATIENT-level answer with its counts. */
function patients(studies: DicomJson[]): DicomJson[] {
  const byPatient = new Map<string, { json: DicomJson; studies: number; series: number; instances: number }>();
  const count = (json: DicomJson, tag: string): number => Number(json[tag]?.Value?.[0] ?? 0);
  for (const study of studies) {
    const key = JSON.stringify([study['00100020']?.Value, study['00100021']?.Value]);
    let entry = byPatient.get(key);
    if (!entry) {
      const json: DicomJson = {};
      for (const tag of Object.keys(study)) if (PATIENT_KEYS.includes(tag) || tag.startsWith('0010')) json[tag] = study[tag] as DicomJson[string];
      entry = { json, studies: 0, series: 0, instances: 0 };
      byPatient.set(key, entry);
    }
    entry.studies += 1;
    entry.series += count(study, '00201206');
    entry.instances += count(study, '00201208');
  }
  return [...byPatient.values()].map(({ json, studies: s, series, instances }) => ({
    ...json,
    '00201200': { vr: 'IS', Value: [s] },
    '00201202': { vr: 'IS', Value: [series] },
    '00201204': { vr: 'IS', Value: [instances] },
  }));
}

export async function findQueryRetrieve(store: QueryStore, identifier: Naturalized, limit: number): Promise<Naturalized[]> {
  const level = String(identifier.QueryRetrieveLevel ?? '').trim().toUpperCase();
  const keys = identifierKeys(identifier);
  const match: Record<string, string> = {};
  for (const key of keys) {
    const value = matchString(identifier[key]);
    if (value !== undefined) match[key] = value;
  }
  const query: QidoQuery = { match, includeFields: keys.map((k) => tagOf(k) as string), limit };
  let results: DicomJson[];
  try {
    if (level === 'PATIENT') results = patients(await store.findStudies(query));
    else if (level === 'STUDY') results = await store.findStudies(query);
    else if (level === 'SERIES') results = await store.findSeries(query);
    else if (level === 'IMAGE') results = await store.findInstances(query);
    else throw new FindFailure(IDENTIFIER_DOES_NOT_MATCH, `QueryRetrieveLevel "${level}" is not PATIENT, STUDY, SERIES or IMAGE`);
  } catch (error) {
    if (error instanceof QueryError) throw new FindFailure(IDENTIFIER_DOES_NOT_MATCH, error.reason.en);
    throw error;
  }
  return results.map((json) => ({
    SpecificCharacterSet: 'ISO_IR 192',
    QueryRetrieveLevel: level,
    ...project(identifier, naturalize(json)),
  }));
}
