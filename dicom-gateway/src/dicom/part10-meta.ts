/**
 * The Part 10 header (PS3.10 7.1: preamble, `DICM`, File Meta Information): put in front of a C-STORE
 * data set as it streams in, so the store receives an ordinary Part 10 file, and in front of a data
 * set decompressed for a peer that takes no compressed syntax.
 */

/** Qiao's implementation class UID (a UUID-derived 2.25 root, PS3.5 B.2). */
export const IMPLEMENTATION_CLASS_UID = '2.25.126060845584686079366238485412705853199';
export const IMPLEMENTATION_VERSION = 'QIAO_1';

export interface MetaInformation {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** Calling AE title of the association the instance came on (none for a file made here). */
  sourceAeTitle?: string;
}

function element(tag: number, vr: 'OB' | 'UI' | 'SH' | 'AE' | 'UL', value: Buffer): Buffer {
  const pad = value.length % 2 === 1 ? Buffer.from([vr === 'UI' ? 0 : 0x20]) : Buffer.alloc(0);
  const body = Buffer.concat([value, pad]);
  const long = vr === 'OB';
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(0x0002, 0);
  head.writeUInt16LE(tag, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(body.length, 8);
  else head.writeUInt16LE(body.length, 6);
  return Buffer.concat([head, body]);
}

/** Preamble, prefix and group 0002 in explicit VR little endian (as PS3.10 requires whatever the data set's syntax). */
export function fileMetaHeader(meta: MetaInformation): Buffer {
  const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
  const group = Buffer.concat([
    element(0x0001, 'OB', Buffer.from([0x00, 0x01])),
    element(0x0002, 'UI', ascii(meta.sopClassUid)),
    element(0x0003, 'UI', ascii(meta.sopInstanceUid)),
    element(0x0010, 'UI', ascii(meta.transferSyntaxUid)),
    element(0x0012, 'UI', ascii(IMPLEMENTATION_CLASS_UID)),
    element(0x0013, 'SH', ascii(IMPLEMENTATION_VERSION)),
    ...(meta.sourceAeTitle ? [element(0x0016, 'AE', ascii(meta.sourceAeTitle))] : []),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(group.length);
  return Buffer.concat([Buffer.alloc(128), ascii('DICM'), element(0x0000, 'UL', length), group]);
}

/** VRs whose explicit-VR header has a 4-byte length (PS3.5 7.1.2): a file meta element may use any. */
export const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * Where a Part 10 file's data set begins: after the preamble, `DICM` and the group 0002 elements,
 * walked one by one (the group length is not always there, nor always right). 0 for bytes with no
 * `DICM` prefix; undefined when `bytes` end before that is known and more are to come (`complete` false).
 */
export function dataSetStart(bytes: Buffer, complete: boolean): number | undefined {
  const more = complete ? bytes.length : undefined;
  if (bytes.length < 132) return complete ? 0 : undefined;
  if (bytes.toString('latin1', 128, 132) !== 'DICM') return 0;
  let pos = 132;
  for (;;) {
    if (pos + 2 > bytes.length) return complete ? Math.min(pos, bytes.length) : undefined;
    if (bytes.readUInt16LE(pos) !== 0x0002) return pos;
    if (pos + 8 > bytes.length) return more;
    if (LONG_LENGTH_VRS.has(bytes.toString('latin1', pos + 4, pos + 6))) {
      if (pos + 12 > bytes.length) return more;
      pos += 12 + bytes.readUInt32LE(pos + 8);
    } else {
      pos += 8 + bytes.readUInt16LE(pos + 6);
    }
  }
}
