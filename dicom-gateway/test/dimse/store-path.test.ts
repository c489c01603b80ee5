/**
 * The C-STORE path that bypasses dcmjs-dimse, fed with P-DATA-TF PDUs built here byte by byte from
 * PS3.8 9.3.5 and PS3.7 E.1: what it takes, what it hands on to the library, what it answers.
 */
import { readCommandSet, storeResponsePdu, StorePath, type StoreCommand } from '../../src/dimse/store-path.js';

const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const SOP = '1.2.3.4.5.6.7';

function element(tag: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(0x0000, 0);
  head.writeUInt16LE(tag, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}
const us = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const ui = (s: string) => Buffer.from(s.length % 2 ? `${s}\0` : s, 'latin1');

function command(field: number, messageId: number, dataSet: boolean): Buffer {
  return Buffer.concat([element(0x0002, ui(CT_STORAGE)), element(0x0100, us(field)), element(0x0110, us(messageId)), element(0x0800, us(dataSet ? 0x0000 : 0x0101)), element(0x1000, ui(SOP))]);
}

/** One PDV item: length, presentation context, message control header (bit 0 command, bit 1 last). */
function pdv(context: number, isCommand: boolean, last: boolean, value: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32BE(value.length + 2, 0);
  head.writeUInt8(context, 4);
  head.writeUInt8((isCommand ? 1 : 0) | (last ? 2 : 0), 5);
  return Buffer.concat([head, value]);
}

function pdu(...items: Buffer[]): Buffer {
  const body = Buffer.concat(items);
  const head = Buffer.alloc(6);
  head.writeUInt8(0x04, 0);
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function harness(status = 0x0000) {
  const sent: Buffer[] = [];
  const received: Buffer[] = [];
  const commands: StoreCommand[] = [];
  const path = new StorePath(
    {
      begin(cmd) {
        commands.push(cmd);
        let ended: (value: { status: number }) => void = () => undefined;
        const done = new Promise<{ status: number }>((resolve) => (ended = resolve));
        const sink = {
          write: (chunk: Buffer) => (received.push(chunk), true),
          end: () => ended({ status }),
          abort: () => ended({ status: 0xa700 }),
        };
        return { sink, status: done };
      },
    },
    (out) => sent.push(out),
  );
  return { path, sent, received, commands };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('StorePath', () => {
  it('takes a C-STORE whose command and data set span several PDUs, streams the data set and answers with its status', async () => {
    const { path, sent, received, commands } = harness(0xa700);
    const cmd = command(0x0001, 7, true);
    expect(path.take(pdu(pdv(3, true, false, cmd.subarray(0, 10))))).toBeUndefined();
    expect(path.take(pdu(pdv(3, true, true, cmd.subarray(10)), pdv(3, false, false, Buffer.from('abc'))))).toBeUndefined();
    expect(path.take(pdu(pdv(3, false, true, Buffer.from('def'))))).toBeUndefined();
    await tick();
    expect(commands).toEqual([{ presentationContextId: 3, messageId: 7, sopClassUid: CT_STORAGE, sopInstanceUid: SOP }]);
    expect(Buffer.concat(received).toString()).toBe('abcdef');
    expect(sent).toHaveLength(1);
    const response = sent[0] as Buffer;
    expect(response.readUInt8(0)).toBe(0x04);
    expect(response.readUInt8(10)).toBe(3);
    expect(response.readUInt8(11)).toBe(0x03);
    const elements = readCommandSet(response.subarray(12));
    expect(elements.get(0x0000)?.readUInt32LE(0)).toBe(response.length - 12 - 12);
    expect(elements.get(0x0100)?.readUInt16LE(0)).toBe(0x8001);
    expect(elements.get(0x0120)?.readUInt16LE(0)).toBe(7);
    expect(elements.get(0x0800)?.readUInt16LE(0)).toBe(0x0101);
    expect(elements.get(0x0900)?.readUInt16LE(0)).toBe(0xa700);
    expect(elements.get(0x1000)?.toString('latin1')).toBe(`${SOP}\0`);
    expect(elements.get(0x0002)?.toString('latin1')).toBe(`${CT_STORAGE}\0`);
  });

  it('hands every other message to the library: unchanged when the PDU is all its own, rebuilt when a C-STORE shared it', () => {
    const { path, commands } = harness();
    const echo = pdu(pdv(1, true, true, command(0x0030, 1, false)));
    expect(path.take(echo)).toBe(echo);
    const find = pdu(pdv(5, true, true, command(0x0020, 2, true)), pdv(5, false, true, Buffer.from('identifier')));
    expect(path.take(find)).toBe(find);
    // A C-STORE's last data fragment and a C-ECHO in one PDU: only the C-ECHO goes on.
    path.take(pdu(pdv(3, true, true, command(0x0001, 3, true))));
    const echoItem = pdv(1, true, true, command(0x0030, 4, false));
    const onward = path.take(pdu(pdv(3, false, true, Buffer.from('x')), echoItem));
    expect(onward).toEqual(pdu(echoItem));
    expect(commands).toHaveLength(1);
    const release = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
    expect(path.take(release)).toBe(release);
  });

  it('refuses a C-STORE with a junk SOP Instance UID without reading its data set', async () => {
    const sent: Buffer[] = [];
    const path = new StorePath({ begin: () => { throw new Error('not to be called'); } }, (out) => sent.push(out));
    const junk = Buffer.concat([element(0x0002, ui(CT_STORAGE)), element(0x0100, us(0x0001)), element(0x0110, us(9)), element(0x0800, us(0)), element(0x1000, ui('../../etc'))]);
    path.take(pdu(pdv(3, true, true, junk), pdv(3, false, true, Buffer.from('data'))));
    expect(sent).toHaveLength(1);
    expect(readCommandSet((sent[0] as Buffer).subarray(12)).get(0x0900)?.readUInt16LE(0)).toBe(0xc000);
  });

  it('writes an Error Comment padded to even length', () => {
    const response = storeResponsePdu({ presentationContextId: 1, messageId: 1, sopClassUid: CT_STORAGE, sopInstanceUid: SOP }, 0x0111, 'dup');
    expect(readCommandSet(response.subarray(12)).get(0x0902)?.toString('latin1')).toBe('dup ');
  });

  it('claims a data set fragment PDU of the C-STORE being received, so its value can come in pieces', async () => {
    const { path, sent, received } = harness();
    expect(path.claim(pdu(pdv(3, false, true, Buffer.from('x'))).subarray(0, 12))).toBe(false);
    path.take(pdu(pdv(3, true, true, command(0x0001, 5, true))));
    expect(path.claim(pdu(pdv(3, true, true, Buffer.from('x'))).subarray(0, 12))).toBe(false);
    expect(path.claim(pdu(pdv(3, false, false, Buffer.from('x')), pdv(3, false, true, Buffer.from('y'))).subarray(0, 12))).toBe(false);
    expect(path.claim(pdu(pdv(3, false, true, Buffer.from('abcd'))).subarray(0, 12))).toBe(true);
    path.piece(Buffer.from('ab'), false);
    path.piece(Buffer.from('cd'), true);
    await tick();
    expect(Buffer.concat(received).toString()).toBe('abcd');
    expect(sent).toHaveLength(1);
  });
});
