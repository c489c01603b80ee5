/** Test helpers: raw elements of a Part 10 file (Explicit VR Little Endian), and writing a tiny one. */
import { readFileSync } from 'node:fs';

/** VRs whose explicit little-endian header has two reserved bytes and a 4-byte length (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);

/** The value bytes of a top-level element (group, element), by a linear walk of the explicit VR LE body. */
export function rawElement(file: string, group: number, element: number): Buffer | undefined {
  const buf = readFileSync(file);
  let at = 132;
  while (at + 8 <= buf.length) {
    const g = buf.readUInt16LE(at);
    const e = buf.readUInt16LE(at + 2);
    const vr = buf.toString('latin1', at + 4, at + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? buf.readUInt32LE(at + 8) : buf.readUInt16LE(at + 6);
    const start = at + (long ? 12 : 8);
    if (g === group && e === element) return buf.subarray(start, start + length);
    if (length === 0xffffffff) return undefined; // undefined-length sequence: not needed by these tests
    at = start + length;
  }
  return undefined;
}

/** One explicit VR little-endian element, its value padded to even length. */
export function element(group: number, el: number, vr: string, value: Buffer): Buffer {
  const padded = value.length % 2 ? Buffer.concat([value, Buffer.from(vr === 'UI' || vr === 'OB' ? [0] : [0x20])]) : value;
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(el, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(padded.length, 8);
  else head.writeUInt16LE(padded.length, 6);
  return Buffer.concat([head, padded]);
}

/** A minimal Part 10 file: meta header plus the given short-VR elements (ascending tag order). */
export function part10(elements: Array<[number, number, string, Buffer]>): Buffer {
  const body = [
    element(0x0002, 0x0002, 'UI', Buffer.from('1.2.840.10008.5.1.4.1.1.7')),
    element(0x0002, 0x0003, 'UI', Buffer.from('1.2.3.4.5')),
    element(0x0002, 0x0010, 'UI', Buffer.from('1.2.840.10008.1.2.1')),
  ];
  const version = Buffer.from([0x02, 0x00, 0x01, 0x00, 0x4f, 0x42, 0, 0, 2, 0, 0, 0, 0, 1]);
  const metaLength = version.length + body.reduce((n, b) => n + b.length, 0);
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt16LE(0x0002, 0);
  groupLength.writeUInt16LE(0x0000, 2);
  groupLength.write('UL', 4, 'latin1');
  groupLength.writeUInt16LE(4, 6);
  groupLength.writeUInt32LE(metaLength, 8);
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    groupLength,
    version,
    ...body,
    ...elements.map(([g, e, vr, v]) => element(g, e, vr, v)),
  ]);
}
