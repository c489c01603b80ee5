/**
 * One DIMSE association (dcmjs-dimse's `Scp`, one per TCP connection): negotiation, C-ECHO,
 * C-STORE streamed into the store, C-FIND (query/retrieve and worklist).
 *
 * C-STORE bypasses the library (`StorePath`): data never collects in memory — each P-DATA fragment
 * goes into the store's sink (behind a Part 10 header built from the command), which hashes it and
 * writes it to the instance's temp file before the next one is read.
 */
import type { Socket } from 'node:net';
import type { association, requests, responses } from 'dcmjs-dimse';
import { PduFramedSocket } from './framing.js';
import dimse, { MAX_PDU_LENGTH } from './library.js';
import { isPathSafeUid } from '../dicom/uid.js';
import type { LogPort } from '../ports.js';
import type { InstanceSink, StoreResult } from '../store/store.js';
import { findQueryRetrieve, FindFailure, type QueryStore } from './find.js';
import { repairIdentifier, type Naturalized } from './identifier.js';
import { instancesOf, MoveFailure, performMove, read, type MoveStore } from './move.js';
import { fileMetaHeader } from '../dicom/part10-meta.js';
import { count, fitToAssociation, storeRequest, type Peer, type SendOutcome } from './send.js';
import { decompressPart10 } from '../codec/part10.js';
import { StorePath, type StoreCommand, type StoreHandler } from './store-path.js';
import { chooseTransferSyntax, serviceOf, WORKLIST_FIND } from './syntaxes.js';
import { findWorklist, type FhirSearch } from './worklist.js';

const { Scp, Dataset } = dimse;
const { CEchoResponse, CFindResponse, CGetResponse, CMoveResponse } = dimse.responses;
const { PresentationContextResult, RejectReason, RejectResult, RejectSource, Status } = dimse.constants;

export interface ScpContext {
  aeTitle: string;
  /** Calling AE titles allowed; empty means any. */
  allowedAes: readonly string[];
  store: QueryStore & MoveStore & { receiveInstance(): InstanceSink };
  /** Known remote AEs: C-MOVE destinations. C-MOVE is offered only when there are some. */
  peers: readonly Peer[];
  worklist: FhirSearch | undefined;
  maxFindResults: number;
  log: LogPort | undefined;
  /** True when the listener holds as many connections as it takes: new associations are refused. */
  full(): boolean;
}

const CANNOT_UNDERSTAND = 0xc000;
const MOVE_DESTINATION_UNKNOWN = 0xa801;
const SUB_OPERATIONS_FAILED = 0xb000;
const UNABLE_TO_PERFORM_SUB_OPERATIONS = 0xa702;
const OUT_OF_RESOURCES = 0xa700;
const SOP_CLASS_NOT_SUPPORTED = 0x0122;

/** An Error Comment is LO in the command set: default repertoire, 64 characters. */
function errorComment(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}

function storeStatus(result: StoreResult): number {
  // A duplicate is the same instance sent again (the store's policy keeps the first copy): the
  // sender is told it is stored, or it would resend for ever.
  if (result.status !== 'failed') return Status.Success;
  return result.failureReason ?? CANNOT_UNDERSTAND;
}

/** The final C-MOVE/C-GET response (PS3.4 C.4.2.1.5, C.4.3.1.4): counts, status, failed UIDs. */
function finalRetrieveResponse(response: responses.CMoveResponse | responses.CGetResponse, outcome: SendOutcome, syntax: string | undefined): void {
  response.setRemaining(0);
  response.setCompleted(outcome.completed);
  response.setWarnings(outcome.warnings);
  response.setFailures(outcome.failed);
  if (outcome.failed === 0 && outcome.warnings === 0) response.setStatus(Status.Success);
  else response.setStatus(outcome.completed + outcome.warnings === 0 ? UNABLE_TO_PERFORM_SUB_OPERATIONS : SUB_OPERATIONS_FAILED);
  if (outcome.failedUids.length) response.setDataset(new Dataset({ FailedSOPInstanceUIDList: outcome.failedUids }, syntax));
}

export class GatewayScp extends Scp implements StoreHandler {
  private callingAe = '';
  private negotiated: association.Association | undefined;

  constructor(
    private readonly conn: Socket,
    private readonly ctx: ScpContext,
  ) {
    const framed = new PduFramedSocket(conn, MAX_PDU_LENGTH);
    // connectTimeout is the socket's idle timeout: a connection silent for a minute is dropped.
    // ignoreErrors: dcmjs refuses identifiers with several Specific Character Set values (ISO 2022
    // code extensions); read anyway, they are repaired by `repairIdentifier`.
    super(framed as unknown as Socket, { connectTimeout: 60_000, associationTimeout: 30_000, pduTimeout: 60_000, datasetReadOptions: { ignoreErrors: true } });
    // dcmjs-dimse's own Server marks accepted sockets connected; its PDU timeout depends on it.
    Object.assign(this, { connected: true });
    const storePath = new StorePath(this, (pdu) => conn.write(pdu));
    // The library drops an association whose last PDU it saw a minute ago; C-STOREs it never sees count too.
    const seen = () => Object.assign(this, { lastPduTime: Date.now() });
    framed.interceptor = {
      take: (pdu) => (seen(), storePath.take(pdu)),
      claim: (head) => storePath.claim(head) && (seen(), true),
      piece: (bytes, end) => storePath.piece(bytes, end),
    };
    conn.on('close', () => storePath.close());
  }

  /** A C-STORE request (taken off the wire by `StorePath`): its data set streams into the store. */
  begin(command: StoreCommand): ReturnType<StoreHandler['begin']> {
    const context = this.negotiated?.getPresentationContext(command.presentationContextId);
    const transferSyntaxUid = context?.getAcceptedTransferSyntaxUid();
    if (!context || context.getResult() !== PresentationContextResult.Accept || !transferSyntaxUid || serviceOf(context.getAbstractSyntaxUid()) !== 'store') {
      return { status: SOP_CLASS_NOT_SUPPORTED, comment: 'no accepted storage presentation context' };
    }
    const sink = this.ctx.store.receiveInstance();
    sink.write(fileMetaHeader({ sopClassUid: command.sopClassUid, sopInstanceUid: command.sopInstanceUid, transferSyntaxUid, sourceAeTitle: this.callingAe }));
    const status = sink.result.then(
      (result) => {
        if (result.status !== 'failed') return { status: storeStatus(result) };
        this.ctx.log?.log('warn', 'DIMSE C-STORE refused', { calling: this.callingAe, sop: command.sopInstanceUid, reason: result.reason?.en });
        return { status: storeStatus(result), comment: errorComment(result.reason?.en ?? 'not stored') };
      },
      (error: unknown) => {
        this.ctx.log?.log('error', 'DIMSE C-STORE failed', { error: String(error) });
        return { status: OUT_OF_RESOURCES, comment: 'error while storing the instance' };
      },
    );
    return { sink, status };
  }

  override associationRequested(assoc: association.Association): void {
    const calling = assoc.getCallingAeTitle().trim();
    const called = assoc.getCalledAeTitle().trim();
    const reject = (reason: number, why: string): void => {
      this.ctx.log?.log('warn', 'DIMSE association rejected', { calling, called, why, remote: this.conn.remoteAddress });
      this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, reason);
    };
    if (this.ctx.full()) {
      this.ctx.log?.log('warn', 'DIMSE association refused: too many connections', { calling, remote: this.conn.remoteAddress });
      return this.sendAssociationReject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded);
    }
    if (called !== this.ctx.aeTitle) return reject(RejectReason.CalledAeNotRecognized, `called AE title is not ${this.ctx.aeTitle}`);
    if (this.ctx.allowedAes.length > 0 && !this.ctx.allowedAes.includes(calling)) return reject(RejectReason.CallingAeNotRecognized, 'calling AE title not allowed');
    for (const { context } of assoc.getPresentationContexts()) {
      const service = serviceOf(context.getAbstractSyntaxUid());
      if (!service || (service === 'worklist' && !this.ctx.worklist) || (service === 'move' && this.ctx.peers.length === 0)) {
        context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
        continue;
      }
      const syntax = chooseTransferSyntax(service, context.getTransferSyntaxUids());
      if (syntax) context.setResult(PresentationContextResult.Accept, syntax);
      else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
    }
    this.callingAe = calling;
    this.negotiated = assoc;
    // dcmjs-dimse keeps one maximum PDU length per association, the smaller of the peer's and its
    // own, for both directions: a modality would then send an image in 16 KiB pieces (DCMTK's
    // default). The gateway announces what it receives, then sends within the peer's maximum.
    const peerMaximum = assoc.getMaxPduLength();
    assoc.setMaxPduLength(dimse.Implementation.getMaxPduLength());
    this.sendAssociationAccept();
    assoc.setMaxPduLength(peerMaximum);
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
  }

  override abort(): void {
    this.ctx.log?.log('info', 'DIMSE association aborted by the peer', { calling: this.callingAe });
  }

  override cEchoRequest(request: requests.CEchoRequest, callback: (response: responses.CEchoResponse) => void): void {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(Status.Success);
    callback(response);
  }

  override cFindRequest(request: requests.CFindRequest, callback: (responses: responses.CFindResponse[]) => void): void {
    const dataset = request.getDataset();
    const identifier = repairIdentifier((dataset?.getElements() ?? {}) as Naturalized);
    const syntax = dataset?.getTransferSyntaxUid();
    const answer = async (): Promise<Naturalized[]> => {
      if (request.getAffectedSopClassUid() === WORKLIST_FIND) {
        if (!this.ctx.worklist) throw new FindFailure(CANNOT_UNDERSTAND, 'no worklist source configured');
        return findWorklist(this.ctx.worklist, identifier, this.ctx.maxFindResults);
      }
      return findQueryRetrieve(this.ctx.store, identifier, this.ctx.maxFindResults);
    };
    answer().then(
      (matches) => {
        const pending = matches.map((match) => {
          const response = CFindResponse.fromRequest(request);
          response.setDataset(new Dataset(match, syntax));
          response.setStatus(Status.Pending);
          return response;
        });
        const done = CFindResponse.fromRequest(request);
        done.setStatus(Status.Success);
        callback([...pending, done]);
      },
      (error: unknown) => {
        const failure = CFindResponse.fromRequest(request);
        failure.setStatus(error instanceof FindFailure ? error.status : CANNOT_UNDERSTAND);
        failure.setErrorComment(errorComment(error instanceof Error ? error.message : String(error)));
        if (!(error instanceof FindFailure)) this.ctx.log?.log('error', 'DIMSE C-FIND failed', { error: String(error) });
        callback([failure]);
      },
    );
  }

  override cMoveRequest(request: requests.CMoveRequest, callback: (responses: responses.CMoveResponse[]) => void): void {
    const dataset = request.getDataset();
    const identifier = (dataset?.getElements() ?? {}) as Naturalized;
    const destination = String(request.getCommandDataset().getElement('MoveDestination') ?? '').trim();
    const response = CMoveResponse.fromRequest(request);
    const peer = this.ctx.peers.find((p) => p.aeTitle === destination);
    if (!peer) {
      response.setStatus(MOVE_DESTINATION_UNKNOWN);
      response.setErrorComment(errorComment(`move destination ${destination} is not a configured peer`));
      return callback([response]);
    }
    performMove(this.ctx.store, peer, this.ctx.aeTitle, identifier).then(
      (outcome) => {
        finalRetrieveResponse(response, outcome, dataset?.getTransferSyntaxUid());
        this.ctx.log?.log('info', 'DIMSE C-MOVE', { calling: this.callingAe, destination, total: outcome.total, completed: outcome.completed, failed: outcome.failed });
        callback([response]);
      },
      (error: unknown) => {
        response.setStatus(error instanceof MoveFailure ? error.status : UNABLE_TO_PERFORM_SUB_OPERATIONS);
        response.setErrorComment(errorComment(error instanceof Error ? error.message : String(error)));
        if (!(error instanceof MoveFailure)) this.ctx.log?.log('error', 'DIMSE C-MOVE failed', { error: String(error) });
        callback([response]);
      },
    );
  }

  /**
   * C-GET (PS3.4 C.4.3): the instances go back on this association as C-STORE sub-operations, on
   * the storage contexts the requester proposed with itself as SCP, one at a time.
   */
  override cGetRequest(request: requests.CGetRequest, callback: (responses: responses.CGetResponse[]) => void): void {
    const dataset = request.getDataset();
    const identifier = (dataset?.getElements() ?? {}) as Naturalized;
    const response = CGetResponse.fromRequest(request);
    const subOperation = async (instance: Parameters<typeof storeRequest>[0]): Promise<number> => {
      let prepared = storeRequest(instance);
      if (this.negotiated && !fitToAssociation(prepared, this.negotiated)) {
        // The requester took no compressed syntax for it: decompressed, if this server decodes its syntax.
        const part10 = await decompressPart10(instance.part10).catch(() => undefined);
        if (part10) prepared = storeRequest({ ...instance, part10 });
      }
      if (!this.negotiated || !fitToAssociation(prepared, this.negotiated)) return Status.ProcessingFailure;
      return new Promise((resolve) => {
        prepared.request.on('response', (r: { getStatus(): number }) => resolve(r.getStatus()));
        // The library ends a request it could not send (no context for its SOP class) without a response.
        prepared.request.on('done', () => resolve(Status.ProcessingFailure));
        this.sendRequests(prepared.request);
      });
    };
    const perform = async (): Promise<SendOutcome> => {
      const outcome: SendOutcome = { completed: 0, warnings: 0, failed: 0, failedUids: [] };
      for (const record of await instancesOf(this.ctx.store, identifier)) {
        const instance = { sopInstanceUid: record.sopInstanceUID, sopClassUid: record.sopClassUID, part10: await read(this.ctx.store.blobs.stream(record.storageKey)) };
        count(outcome, record.sopInstanceUID, await subOperation(instance).catch(() => Status.ProcessingFailure));
      }
      return outcome;
    };
    perform().then(
      (outcome) => {
        finalRetrieveResponse(response, outcome, dataset?.getTransferSyntaxUid());
        callback([response]);
      },
      (error: unknown) => {
        response.setStatus(error instanceof MoveFailure ? error.status : UNABLE_TO_PERFORM_SUB_OPERATIONS);
        response.setErrorComment(errorComment(error instanceof Error ? error.message : String(error)));
        callback([response]);
      },
    );
  }
}
