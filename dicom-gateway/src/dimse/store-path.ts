/**
 * C-STORE straight from P-DATA PDUs to the store. dcmjs-dimse spends more CPU on a C-STORE than the
 * store does (it parses the command set with dcmjs, copies each PDU twice, awaits a `drain` per
 * fragment and builds the response by denaturalising a data set), and a modality waits for each
 * response before it sends the next instance, so every millisecond there is a millisecond of the
 * modality's time. Here the gateway reads C-STORE-RQ commands itself (PS3.7 9.3.1.1, implicit VR
 * little endian group 0000), passes the data set fragments to the store as they arrive, and writes
 * the C-STORE-RSP PDU itself once the store has the instance on disk and its index row written or
 * journalled. Every other message (C-ECHO, C-FIND, C-MOVE, C-GET, release) goes on to dcmjs-dimse
 * unchanged.
 */
import { isPathSafeUid } from '../dicom/uid.js';
import type { InstanceSink } from '../store/store.js';
import type { PduInterceptor } from './framing.js';

const P_DATA_TF = 0x04;
const C_STORE_RQ = 0x0001;
const C_STORE_RSP = 0x8001;
const NO_DATA_SET = 0x0101;

export interface StoreCommand {
  presentationContextId: number;
  messageId: number;
  sopClassUid: string;
  sopInstanceUid: string;
}

/** Where a C-STORE's data set goes as its fragments arrive: the store's sink, without its result (the handler's `status`). */
export type DataSetSink = Omit<InstanceSink, 'result'>;

/** What the association does with a C-STORE: where its data set goes, and the status once stored. */
export interface StoreHandler {
  /** The sink for the data set, or a refusal status (the data set is then read and dropped). */
  begin(command: StoreCommand): { sink: DataSetSink; status: Promise<{ status: number; comment?: string }> } | { status: number; comment: string };
}

/** Command set elements (implicit VR little endian): tag element number → value bytes. */
export function readCommandSet(bytes: Buffer): Map<number, Buffer> {
  const elements = new Map<number, Buffer>();
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const group = bytes.readUInt16LE(pos);
    const element = bytes.readUInt16LE(pos + 2);
    const length = bytes.readUInt32LE(pos + 4);
    if (group !== 0x0000 || pos + 8 + length > bytes.length) throw new Error('malformed command set');
    elements.set(element, bytes.subarray(pos + 8, pos + 8 + length));
    pos += 8 + length;
  }
  return elements;
}

const uidOf = (value: Buffer | undefined): string => (value ? value.toString('latin1').replace(/[\0 ]+$/, '') : '');
const ushortOf = (value: Buffer | undefined): number | undefined => (value && value.length >= 2 ? value.readUInt16LE(0) : undefined);

function commandElement(element: number, value: Buffer): Buffer {
  const head = Buffer.allocUnsafe(8);
  head.writeUInt16LE(0x0000, 0);
  head.writeUInt16LE(element, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}

const ushort = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16LE(n);
  return b;
};
/** UI values are padded with NUL, others with a space, to even length (PS3.5 6.2). */
const text = (s: string, pad: 0 | 0x20): Buffer => {
  const bytes = Buffer.from(s, 'latin1');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([pad])]);
};

/** The C-STORE-RSP as one P-DATA-TF PDU (PS3.7 9.3.1.2; PS3.8 9.3.5). */
export function storeResponsePdu(command: StoreCommand, status: number, comment?: string): Buffer {
  const elements = [
    commandElement(0x0002, text(command.sopClassUid, 0)),
    commandElement(0x0100, ushort(C_STORE_RSP)),
    commandElement(0x0120, ushort(command.messageId)),
    commandElement(0x0800, ushort(NO_DATA_SET)),
    commandElement(0x0900, ushort(status)),
    ...(comment ? [commandElement(0x0902, text(comment, 0x20))] : []),
    commandElement(0x1000, text(command.sopInstanceUid, 0)),
  ];
  const groupLength = Buffer.allocUnsafe(4);
  groupLength.writeUInt32LE(elements.reduce((n, e) => n + e.length, 0));
  const commandSet = Buffer.concat([commandElement(0x0000, groupLength), ...elements]);
  const pdu = Buffer.allocUnsafe(6 + 6 + commandSet.length);
  pdu.writeUInt8(P_DATA_TF, 0);
  pdu.writeUInt8(0, 1);
  pdu.writeUInt32BE(6 + commandSet.length, 2);
  pdu.writeUInt32BE(2 + commandSet.length, 6);
  pdu.writeUInt8(command.presentationContextId, 10);
  // Message control header: command, last fragment.
  pdu.writeUInt8(0x03, 11);
  commandSet.copy(pdu, 12);
  return pdu;
}

/**
 * Splits the P-DATA stream of one association: C-STORE requests are taken here, everything else is
 * handed on (as the original PDU when all of it goes on, else as a PDU of the PDVs that do).
 */
export class StorePath implements PduInterceptor {
  /** Command fragments (whole PDV items) of a message not yet known to be a C-STORE. */
  private held: Buffer[] = [];
  private heldValues: Buffer[] = [];
  /** Where the data set fragments of the message being received go. */
  private mode: { kind: 'idle' } | { kind: 'library' } | { kind: 'store'; sink: DataSetSink | undefined } = { kind: 'idle' };
  /** Data sets still being received or stored: aborted when the connection closes under them. */
  private readonly inFlight = new Set<DataSetSink>();

  constructor(
    private readonly handler: StoreHandler,
    /** Writes a PDU to the peer. */
    private readonly send: (pdu: Buffer) => void,
  ) {}

  /** Takes one whole PDU; returns what dcmjs-dimse should receive of it, if anything. */
  take(pdu: Buffer): Buffer | undefined {
    if (pdu.readUInt8(0) !== P_DATA_TF) return pdu;
    const onward: Buffer[] = [];
    const items: Buffer[] = [];
    let pos = 6;
    const end = 6 + pdu.readUInt32BE(2);
    while (pos + 6 <= end) {
      const length = pdu.readUInt32BE(pos);
      // A malformed item: the library reads the PDU and reports it.
      if (length < 2 || pos + 4 + length > end) return pdu;
      const item = pdu.subarray(pos, pos + 4 + length);
      const control = pdu.readUInt8(pos + 5);
      const value = pdu.subarray(pos + 6, pos + 4 + length);
      items.push(item);
      this.pdv(item, pdu.readUInt8(pos + 4), (control & 1) === 1, (control & 2) === 2, value, onward);
      pos += 4 + length;
    }
    if (onward.length === 0) return undefined;
    if (onward.length === items.length && onward.every((item, i) => item === items[i])) return pdu;
    const body = Buffer.concat(onward);
    const header = Buffer.allocUnsafe(6);
    header.writeUInt8(P_DATA_TF, 0);
    header.writeUInt8(0, 1);
    header.writeUInt32BE(body.length, 2);
    return Buffer.concat([header, body]);
  }

  /** Whether the PDV being received in pieces is the data set's last fragment. */
  private claimedLast = false;

  /** A P-DATA PDU that is one data set fragment of the C-STORE being received: its value comes in pieces. */
  claim(head: Buffer): boolean {
    if (this.mode.kind !== 'store' || head.readUInt8(0) !== P_DATA_TF) return false;
    const control = head.readUInt8(11);
    if ((control & 1) === 1 || head.readUInt32BE(6) + 4 !== head.readUInt32BE(2)) return false;
    this.claimedLast = (control & 2) === 2;
    return true;
  }

  piece(bytes: Buffer, end: boolean): void {
    this.data(bytes, end && this.claimedLast);
  }

  /** Ends the data set streams still open (the connection closed under them). */
  close(): void {
    for (const sink of this.inFlight) sink.abort(new Error('association closed before the instance was complete'));
    this.inFlight.clear();
  }

  private pdv(item: Buffer, contextId: number, isCommand: boolean, last: boolean, value: Buffer, onward: Buffer[]): void {
    if (isCommand) {
      if (this.mode.kind === 'store') this.abandon();
      if (this.mode.kind === 'library') {
        // A command while the library waits for a data set: its problem to report.
        onward.push(item);
        if (last) this.mode = { kind: 'idle' };
        return;
      }
      this.held.push(item);
      this.heldValues.push(value);
      if (!last) return;
      const command = Buffer.concat(this.heldValues);
      const held = this.held;
      this.held = [];
      this.heldValues = [];
      const store = this.storeCommand(contextId, command);
      if (store) return this.start(store);
      onward.push(...held);
      // A command with a data set: its fragments follow and go where the command went.
      const elements = safeRead(command);
      if (elements && ushortOf(elements.get(0x0800)) !== NO_DATA_SET) this.mode = { kind: 'library' };
      return;
    }
    if (this.mode.kind === 'store') return this.data(value, last);
    onward.push(item);
    if (last && this.mode.kind === 'library') this.mode = { kind: 'idle' };
  }

  /** A data set fragment of the C-STORE being received, into the store's sink. */
  private data(value: Buffer, last: boolean): void {
    if (this.mode.kind !== 'store') return;
    const sink = this.mode.sink;
    if (sink && value.length && !sink.write(value)) this.mode.sink = undefined;
    if (last) {
      sink?.end();
      this.mode = { kind: 'idle' };
    }
  }

  /** A C-STORE request with a data set, read from its command set; undefined for any other message. */
  private storeCommand(contextId: number, command: Buffer): StoreCommand | undefined {
    const elements = safeRead(command);
    if (!elements || ushortOf(elements.get(0x0100)) !== C_STORE_RQ || ushortOf(elements.get(0x0800)) === NO_DATA_SET) return undefined;
    return {
      presentationContextId: contextId,
      messageId: ushortOf(elements.get(0x0110)) ?? 0,
      sopClassUid: uidOf(elements.get(0x0002)),
      sopInstanceUid: uidOf(elements.get(0x1000)),
    };
  }

  private start(command: StoreCommand): void {
    const respond = (status: number, comment?: string) => this.send(storeResponsePdu(command, status, comment));
    // The UIDs go back in the response: a junk one is refused with its data set unread.
    if (!isPathSafeUid(command.sopClassUid) || !isPathSafeUid(command.sopInstanceUid)) {
      this.mode = { kind: 'store', sink: undefined };
      respond(0xc000, 'invalid UID in the C-STORE command');
      return;
    }
    const begun = this.handler.begin(command);
    if (!('sink' in begun)) {
      this.mode = { kind: 'store', sink: undefined };
      respond(begun.status, begun.comment);
      return;
    }
    const { sink } = begun;
    this.inFlight.add(sink);
    this.mode = { kind: 'store', sink };
    void begun.status.then(({ status, comment }) => {
      this.inFlight.delete(sink);
      respond(status, comment);
    });
  }

  /** A new command before the last data set fragment: the instance is incomplete and not stored. */
  private abandon(): void {
    if (this.mode.kind === 'store' && this.mode.sink) this.mode.sink.abort(new Error('a new command arrived before the data set was complete'));
    this.mode = { kind: 'idle' };
  }
}

function safeRead(command: Buffer): Map<number, Buffer> | undefined {
  try {
    return readCommandSet(command);
  } catch {
    return undefined;
  }
}
