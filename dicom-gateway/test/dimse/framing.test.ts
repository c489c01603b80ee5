import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { PduFramedSocket, type PduInterceptor } from '../../src/dimse/framing.js';

/** A PDU: type, reserved byte, 32-bit big-endian length, body. */
function pdu(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head[0] = type;
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function framed(max = 1024): { raw: EventEmitter & { destroyed: boolean; destroy(): void }; pdus: Buffer[] } {
  const raw = Object.assign(new EventEmitter(), { destroyed: false, destroy() { raw.destroyed = true; } });
  const socket = new PduFramedSocket(raw as unknown as Socket, max);
  const pdus: Buffer[] = [];
  socket.on('data', (p: Buffer) => pdus.push(p));
  return { raw, pdus };
}

describe('PDU framing', () => {
  const a = pdu(0x04, Buffer.from('first PDU body'));
  const b = pdu(0x04, Buffer.alloc(300, 7));
  const c = pdu(0x05, Buffer.alloc(4));
  const stream = Buffer.concat([a, b, c]);

  it.each([1, 2, 5, 7, 64, stream.length])('hands on whole PDUs whatever the chunking (%i-byte chunks)', (size) => {
    const { raw, pdus } = framed();
    for (let at = 0; at < stream.length; at += size) raw.emit('data', stream.subarray(at, at + size));
    expect(pdus).toEqual([a, b, c]);
  });

  it('disconnects a peer whose PDU claims more than the maximum, before buffering it', () => {
    const { raw, pdus } = framed(256);
    raw.emit('data', pdu(0x04, Buffer.alloc(300)).subarray(0, 10));
    expect(raw.destroyed).toBe(true);
    expect(pdus).toHaveLength(0);
  });

  it.each([1, 3, 12, 13, 100, 1000])('hands a claimed PDV value over in pieces as it comes, and the PDUs around it whole (%i-byte chunks)', (size) => {
    const raw = Object.assign(new EventEmitter(), { destroyed: false, destroy() {} });
    const socket = new PduFramedSocket(raw as unknown as Socket, 1024);
    const value = Buffer.alloc(500).map((_, i) => i % 251);
    const item = Buffer.concat([Buffer.from([0, 0, 0x01, 0xf6, 3, 0x02]), value]);
    const claimed = pdu(0x04, item);
    const pieces: Buffer[] = [];
    const ends: boolean[] = [];
    const taken: Buffer[] = [];
    const interceptor: PduInterceptor = {
      take: (p) => (taken.push(p), p),
      // Only data PDVs of presentation context 3 are claimed.
      claim: (head) => head[10] === 3 && (head[11]! & 1) === 0,
      piece: (bytes, end) => (pieces.push(bytes), ends.push(end)),
    };
    socket.interceptor = interceptor;
    const library: Buffer[] = [];
    socket.on('data', (p: Buffer) => library.push(p));
    const whole = Buffer.concat([a, claimed, c]);
    for (let at = 0; at < whole.length; at += size) raw.emit('data', whole.subarray(at, at + size));
    expect(Buffer.concat(pieces)).toEqual(value);
    expect(ends.filter(Boolean)).toHaveLength(1);
    expect(ends.at(-1)).toBe(true);
    expect(taken).toEqual([a, c]);
    expect(library).toEqual([a, c]);
  });
});
