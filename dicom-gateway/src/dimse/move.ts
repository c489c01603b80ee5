/**
 * C-MOVE SCP (PS3.4 C.4.2): the instances named by the identifier (a patient, studies, series or
 * instances, by their unique keys) are sent with C-STORE to the destination AE, which must be one of
 * the configured peers — a C-MOVE only names an AE title, the gateway must know where it is.
 */
import type { Readable } from 'node:stream';
import type { InstanceRecord, DicomStore } from '../store/store.js';
import { matchString, type Naturalized } from './identifier.js';
import { sendInstances, type Peer, type SendOutcome } from './send.js';

export interface MoveStore {
  findStudies: DicomStore['findStudies'];
  instances(scope: { study: string; series?: string; sop?: string }): Promise<InstanceRecord[]>;
  blobs: { stream(key: string): Readable };
}

/** Instances are read and sent this many at a time, one association per batch. */
const BATCH = 16;

export class MoveFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const UNABLE_TO_CALCULATE = 0xa701;
const IDENTIFIER_DOES_NOT_MATCH = 0xa900;

const list = (value: unknown): string[] => (matchString(value) ?? '').split('\\').filter(Boolean);

/** The stored instances a C-MOVE or C-GET identifier names, by its level's unique keys. */
export async function instancesOf(store: MoveStore, identifier: Naturalized): Promise<InstanceRecord[]> {
  const level = String(identifier.QueryRetrieveLevel ?? '').trim().toUpperCase();
  const studies = list(identifier.StudyInstanceUID);
  const series = list(identifier.SeriesInstanceUID);
  const sops = list(identifier.SOPInstanceUID);
  const scopes: { study: string; series?: string; sop?: string }[] = [];
  if (level === 'PATIENT') {
    const patientId = matchString(identifier.PatientID);
    if (!patientId || /[*?]/.test(patientId)) throw new MoveFailure(IDENTIFIER_DOES_NOT_MATCH, 'PATIENT level needs one PatientID');
    const found = await store.findStudies({ match: { PatientID: patientId }, limit: 1000 });
    for (const s of found) scopes.push({ study: String(s['0020000D']?.Value?.[0]) });
  } else if (level === 'STUDY' && studies.length) {
    scopes.push(...studies.map((study) => ({ study })));
  } else if (level === 'SERIES' && studies.length === 1 && series.length) {
    scopes.push(...series.map((s) => ({ study: studies[0] as string, series: s })));
  } else if (level === 'IMAGE' && studies.length === 1 && series.length === 1 && sops.length) {
    scopes.push(...sops.map((sop) => ({ study: studies[0] as string, series: series[0] as string, sop })));
  } else {
    throw new MoveFailure(IDENTIFIER_DOES_NOT_MATCH, `${level || 'no'} level with the unique keys it needs`);
  }
  const records: InstanceRecord[] = [];
  for (const scope of scopes) records.push(...(await store.instances(scope)));
  return records;
}

export async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends what the identifier names to the peer; the counts are those of the final C-MOVE response. */
export async function performMove(store: MoveStore, peer: Peer, callingAeTitle: string, identifier: Naturalized): Promise<SendOutcome & { total: number }> {
  let records: InstanceRecord[];
  try {
    records = await instancesOf(store, identifier);
  } catch (error) {
    if (error instanceof MoveFailure) throw error;
    throw new MoveFailure(UNABLE_TO_CALCULATE, 'could not find the instances to move');
  }
  const outcome: SendOutcome = { completed: 0, warnings: 0, failed: 0, failedUids: [] };
  for (let i = 0; i < records.length; i += BATCH) {
    const batch = await Promise.all(records.slice(i, i + BATCH).map(async (r) => ({ sopInstanceUid: r.sopInstanceUID, sopClassUid: r.sopClassUID, part10: await read(store.blobs.stream(r.storageKey)) })));
    const sent = await sendInstances(peer, callingAeTitle, batch);
    outcome.completed += sent.completed;
    outcome.warnings += sent.warnings;
    outcome.failed += sent.failed;
    outcome.failedUids.push(...sent.failedUids);
  }
  return { ...outcome, total: records.length };
}
