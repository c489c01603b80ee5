/**
 * What follows Pixel Data in a file — private elements, Data Set Trailing Padding — is never parsed
 * for the index, but a file cut short there, or whose lengths there are wrong, is not the instance
 * that was sent: WADO would serve it as it is. So the elements after Pixel Data are walked by their
 * headers (8 or 12 bytes each, through the items of undefined-length sequences) and must end
 * exactly at the end of the file.
 */
import { DicomParseError, type PositionalReader } from './parse.js';
import { LONG_LENGTH_VRS } from './part10-meta.js';
import { EXPLICIT_BE, IMPLICIT_LE } from './transfer-syntax.js';

const UNDEFINED_LENGTH = 0xffffffff;
const ITEM = 0xe000;
const ITEM_END = 0xe00d;
const SEQUENCE_END = 0xe0dd;

/** Returns where a Data Set Trailing Padding (FFFC,FFFC) that ends the data set begins, if there is one. */
export async function checkTail(file: PositionalReader, size: number, start: number, transferSyntax: string): Promise<number | undefined> {
  const explicit = transferSyntax !== IMPLICIT_LE;
  const bigEndian = transferSyntax === EXPLICIT_BE;
  const header = Buffer.alloc(12);
  const u16 = (at: number) => (bigEndian ? header.readUInt16BE(at) : header.readUInt16LE(at));
  const u32 = (at: number) => (bigEndian ? header.readUInt32BE(at) : header.readUInt32LE(at));
  const cut = (what: string) => new DicomParseError(`truncated after the pixel data: ${what} ends beyond the end of the file (${size} bytes)`);
  const malformed = (at: number, what: string) => new DicomParseError(`malformed data after the pixel data at byte ${at}: ${what}`);

  /** Elements (or, in a sequence, items) from `pos` to the end of the file, or to the delimiter `until`; returns where they end. */
  let padding: number | undefined;
  const walk = async (pos: number, until?: typeof ITEM_END | typeof SEQUENCE_END): Promise<number> => {
    while (pos < size) {
      if (pos + 8 > size) throw cut('an element header');
      await file.read(header, 0, Math.min(12, size - pos), pos);
      const group = u16(0);
      const element = u16(2);
      if (group === 0xfffe) {
        if (element === until) return pos + 8;
        if (element !== ITEM || until !== SEQUENCE_END) throw malformed(pos, `unexpected item tag (FFFE,${element.toString(16).toUpperCase()})`);
        const length = u32(4);
        pos = length === UNDEFINED_LENGTH ? await walk(pos + 8, ITEM_END) : pos + 8 + length;
        continue;
      }
      if (until === SEQUENCE_END) throw malformed(pos, 'a sequence holds something other than items');
      if (until === undefined) padding = group === 0xfffc && element === 0xfffc ? pos : undefined;
      let headerLength = 8;
      let length = u32(4);
      if (explicit) {
        const vr = header.toString('latin1', 4, 6);
        if (!/^[A-Z]{2}$/.test(vr)) throw malformed(pos, `no value representation in element (${group.toString(16)},${element.toString(16)})`);
        if (LONG_LENGTH_VRS.has(vr)) {
          if (pos + 12 > size) throw cut('an element header');
          headerLength = 12;
          length = u32(8);
        } else {
          length = u16(6);
        }
      }
      pos = length === UNDEFINED_LENGTH ? await walk(pos + headerLength, SEQUENCE_END) : pos + headerLength + length;
    }
    if (pos > size || until !== undefined) throw cut(until === undefined ? 'an element' : 'a sequence');
    return pos;
  };
  await walk(start);
  return padding;
}
