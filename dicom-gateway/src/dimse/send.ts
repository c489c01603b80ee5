/**
 * C-STORE SCU: sends stored Part 10 instances to a known peer on one association (dcmjs-dimse's
 * `Client`). Each instance goes out byte for byte as stored when the peer accepts its transfer
 * syntax; only when the peer picks another (implicit for an explicit instance) is the data set
 * parsed and transcoded by dcmjs, which drops the private elements its dictionary does not know; a
 * compressed instance the peer takes in no compressed syntax goes decompressed (`codec/part10.ts`).
 * A batch is held in memory while it is sent: callers send in batches.
 */
import type { association } from 'dcmjs-dimse';
import { decompressPart10 } from '../codec/part10.js';
import { EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE } from '../dicom/transfer-syntax.js';
import dimse from './library.js';

/** Syntaxes whose data set dcmjs can re-encode in another of them (native pixel data). */
const UNCOMPRESSED = new Set([IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE]);

const { Client, Dataset } = dimse;
const { CStoreRequest } = dimse.requests;
const { Status } = dimse.constants;

/** A data set the library writes as the stored bytes instead of re-encoding its elements. */
class StoredDataset extends Dataset {
  constructor(
    private readonly body: Buffer,
    transferSyntax: string,
    sopClassUid: string,
    sopInstanceUid: string,
  ) {
    super({ SOPClassUID: sopClassUid, SOPInstanceUID: sopInstanceUid }, transferSyntax);
  }

  override getDenaturalizedDataset(): Buffer {
    return this.body;
  }
}

export interface Peer {
  aeTitle: string;
  host: string;
  port: number;
}

export interface SendOutcome {
  completed: number;
  warnings: number;
  failed: number;
  failedUids: string[];
}

/** The data set of a Part 10 file and its transfer syntax, read from the File Meta Information. */
export function dataSetOf(part10: Buffer): { body: Buffer; transferSyntax: string } {
  if (part10.length < 132 || part10.toString('latin1', 128, 132) !== 'DICM') throw new Error('not a Part 10 file');
  let at = 132;
  let transferSyntax = '';
  while (at + 8 <= part10.length && part10.readUInt16LE(at) === 0x0002) {
    const element = part10.readUInt16LE(at + 2);
    const vr = part10.toString('latin1', at + 4, at + 6);
    const long = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr);
    const length = long ? part10.readUInt32LE(at + 8) : part10.readUInt16LE(at + 6);
    const start = at + (long ? 12 : 8);
    if (element === 0x0010) transferSyntax = part10.toString('latin1', start, start + length).replace(/[\0 ]+$/, '');
    at = start + length;
  }
  if (!transferSyntax) throw new Error('no transfer syntax in the file meta information');
  return { body: part10.subarray(at), transferSyntax };
}

const isWarning = (status: number): boolean => status === 0x0001 || (status >= 0xb000 && status <= 0xbfff);

/** Adds one C-STORE response status to the counts. */
export function count(outcome: SendOutcome, sopInstanceUid: string, status: number): void {
  if (status === Status.Success) outcome.completed += 1;
  else if (isWarning(status)) outcome.warnings += 1;
  else {
    outcome.failed += 1;
    outcome.failedUids.push(sopInstanceUid);
  }
}

export interface OutgoingInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  part10: Buffer;
}

export interface PreparedStore {
  request: InstanceType<typeof CStoreRequest>;
  body: Buffer;
  transferSyntax: string;
}

/** A C-STORE request that writes the stored bytes; throws if the instance is not a Part 10 file. */
export function storeRequest({ sopInstanceUid, sopClassUid, part10 }: OutgoingInstance): PreparedStore {
  const { body, transferSyntax } = dataSetOf(part10);
  return { request: new CStoreRequest(new StoredDataset(body, transferSyntax, sopClassUid, sopInstanceUid)), body, transferSyntax };
}

/**
 * Fits a request to the negotiated association before it is sent: if the peer took another
 * syntax than the stored one, the request gets the full data set, which the library transcodes.
 * False when that is impossible — sending the stand-in would send a different instance.
 */
export function fitToAssociation(prepared: PreparedStore, accepted: association.Association): boolean {
  const syntax = accepted.getAcceptedPresentationContextFromRequest(prepared.request)?.getAcceptedTransferSyntaxUid();
  if (!syntax || syntax === prepared.transferSyntax) return true;
  // dcmjs re-encodes elements, not compressed pixel data: that takes a decoder (`sendInstances` retries decompressed).
  if (!UNCOMPRESSED.has(prepared.transferSyntax)) return false;
  try {
    prepared.request.setDataset(new Dataset(prepared.body, prepared.transferSyntax));
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends the instances on one association; resolves when it is released or lost, never rejects. A peer
 * that takes none of the compressed syntaxes of some instances gets them decompressed (explicit VR
 * little endian), on a second association: the first is given up before any C-STORE goes out.
 */
export async function sendInstances(peer: Peer, callingAeTitle: string, instances: readonly OutgoingInstance[]): Promise<SendOutcome> {
  const first = await sendOnce(peer, callingAeTitle, instances);
  if (first.unfit.size === 0) return first.outcome;
  const again: OutgoingInstance[] = [];
  const undecodable: OutgoingInstance[] = [];
  for (const instance of instances) {
    if (!first.unfit.has(instance)) again.push(instance);
    else {
      const part10 = await decompressPart10(instance.part10).catch(() => undefined);
      if (part10) again.push({ ...instance, part10 });
      else undecodable.push(instance);
    }
  }
  const outcome = await sendOnce(peer, callingAeTitle, again).then((second) => second.outcome);
  for (const { sopInstanceUid } of undecodable) count(outcome, sopInstanceUid, Status.ProcessingFailure);
  return outcome;
}

/** One association; `unfit` names the instances the peer took no syntax for (then nothing was sent). */
function sendOnce(peer: Peer, callingAeTitle: string, instances: readonly OutgoingInstance[]): Promise<{ outcome: SendOutcome; unfit: Set<OutgoingInstance> }> {
  const outcome: SendOutcome = { completed: 0, warnings: 0, failed: 0, failedUids: [] };
  const unfit = new Set<OutgoingInstance>();
  const answered = new Set<string>();
  const client = new Client();
  const pending: { prepared: PreparedStore; instance: OutgoingInstance }[] = [];
  for (const instance of instances) {
    let prepared: PreparedStore;
    try {
      prepared = storeRequest(instance);
    } catch {
      count(outcome, instance.sopInstanceUid, Status.ProcessingFailure);
      answered.add(instance.sopInstanceUid);
      continue;
    }
    pending.push({ prepared, instance });
    prepared.request.on('response', (response: { getStatus(): number }) => {
      answered.add(instance.sopInstanceUid);
      count(outcome, instance.sopInstanceUid, response.getStatus());
    });
    client.addRequest(prepared.request);
  }
  if (pending.length === 0) return Promise.resolve({ outcome, unfit });
  // Runs before the library sends: its event is emitted synchronously.
  client.on('associationAccepted', (accepted: association.Association) => {
    for (const { prepared, instance } of pending) if (!fitToAssociation(prepared, accepted)) unfit.add(instance);
    if (unfit.size) client.abort();
  });
  return new Promise((resolve) => {
    const finish = (): void => {
      // Whatever got no answer (association rejected or aborted, connection lost) did not arrive.
      for (const { sopInstanceUid } of instances) if (!answered.has(sopInstanceUid)) count(outcome, sopInstanceUid, Status.ProcessingFailure);
      for (const { sopInstanceUid } of instances) answered.add(sopInstanceUid);
      resolve({ outcome, unfit });
    };
    client.on('closed', finish);
    client.on('networkError', finish);
    client.send(peer.host, peer.port, callingAeTitle, peer.aeTitle, { connectTimeout: 10_000, associationTimeout: 30_000, pduTimeout: 60_000 });
  });
}
