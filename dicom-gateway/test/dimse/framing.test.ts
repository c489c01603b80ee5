import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { PduFramedSocket } from '../../src/dimse/framing.js';

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
});
