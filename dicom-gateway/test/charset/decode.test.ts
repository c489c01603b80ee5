import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePersonNames, decodeText, decodeValues, isKnownCharacterSet, joinPersonName } from '../../src/charset/index.js';
import { part10, rawElement } from './part10.js';

// DCMTK's tools start a process each: the suite-wide 5 s default is too short on a busy machine.

const DATA = new URL('../data/', import.meta.url).pathname;
const ESC = 0x1b;
const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

/** ESC $ ) A designates GB 2312 to G1 (PS3.3 table C.12-4); characters are then EUC-CN byte pairs. */
const GB2312_G1 = [ESC, 0x24, 0x29, 0x41];
const ZHANG = [0xd5, 0xc5]; // 张
const XIAO = [0xd0, 0xa1]; // 小
const DONG = [0xb6, 0xab]; // 东

describe('real samples (pydicom charset files)', () => {
  it.each([
    ['chrX1_ISO_IR_192_chinese_name.dcm', '王^小東'],
    ['chrX2_GB18030_chinese_name.dcm', '王^小东'],
  ])('%s: PatientName groups decode in the file’s character set', (file, ideographic) => {
    const scs = rawElement(join(DATA, file), 0x0008, 0x0005);
    const name = rawElement(join(DATA, file), 0x0010, 0x0010);
    expect(scs && name).toBeTruthy();
    const [term] = decodeValues(scs!, undefined, 'CS');
    expect(decodePersonNames(name!, term)).toEqual([{ Alphabetic: 'Wang^XiaoDong', Ideographic: ideographic }]);
  });

  it('the GB18030 bytes are not UTF-8: read in the wrong set they do not give the name', () => {
    const name = rawElement(join(DATA, 'chrX2_GB18030_chinese_name.dcm'), 0x0010, 0x0010)!;
    expect(decodePersonNames(name, 'ISO_IR 192')[0]?.Ideographic).not.toBe('王^小东');
  });
});

describe('ISO 2022 IR 58 (GB 2312 with code extensions)', () => {
  const zhangXiaoDong = bytes('Zhang^XiaoDong=', GB2312_G1, ZHANG, '^', GB2312_G1, XIAO, DONG, '=');

  it('decodes each group after its escape sequence', () => {
    expect(decodePersonNames(zhangXiaoDong, '\\ISO 2022 IR 58')).toEqual([{ Alphabetic: 'Zhang^XiaoDong', Ideographic: '张^小东' }]);
    expect(decodePersonNames(zhangXiaoDong, ['ISO 2022 IR 6', 'ISO 2022 IR 58'])).toEqual([
      { Alphabetic: 'Zhang^XiaoDong', Ideographic: '张^小东' },
    ]);
  });

  it('multi-valued LO: each value starts again in the initial set', () => {
    const lo = bytes(GB2312_G1, ZHANG, '\\', 'CT', '\\', GB2312_G1, XIAO);
    expect(decodeValues(lo, '\\ISO 2022 IR 58', 'LO')).toEqual(['张', 'CT', '小']);
  });

  it('bytes in G1 with no set designated there are not characters', () => {
    expect(decodeText(bytes([ESC, 0x28, 0x42], ZHANG), '\\ISO 2022 IR 6')).toBe('\uFFFD\uFFFD');
  });

  it('GB 2312 bytes written without any escape sequence (a common device fault) still decode', () => {
    expect(decodeText(bytes(ZHANG), '\\ISO 2022 IR 58')).toBe('张');
  });

  it('agrees with dcmtk (dcmdump +U8) on a file it reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qiao-charset-'));
    try {
      const file = join(dir, 'ir58.dcm');
      writeFileSync(
        file,
        part10([
          [0x0008, 0x0005, 'CS', Buffer.from('\\ISO 2022 IR 58')],
          [0x0008, 0x1030, 'LO', bytes(GB2312_G1, ZHANG, XIAO, DONG, ' CT')],
          [0x0010, 0x0010, 'PN', zhangXiaoDong],
        ]),
      );
      const dump = execFileSync('dcmdump', ['+U8', file], { encoding: 'utf8' });
      const value = (tag: string): string => new RegExp(`\\(${tag}\\) \\w\\w \\[([^\\]]*)\\]`).exec(dump)?.[1] ?? '<missing>';
      expect(value('0010,0010')).toBe(decodeValues(rawElement(file, 0x0010, 0x0010)!, '\\ISO 2022 IR 58', 'PN')[0]);
      expect(value('0008,1030')).toBe(decodeValues(rawElement(file, 0x0008, 0x1030)!, '\\ISO 2022 IR 58', 'LO')[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('other sets', () => {
  it('GBK: a trail byte equal to `\\` does not split the value', () => {
    // 乗 is 0x81 0x5C in GBK: its trail byte is the value delimiter's code.
    expect(decodeValues(Buffer.from([0x81, 0x5c, 0x5c, 0x41]), 'GBK', 'LO')).toEqual(['乗', 'A']);
  });

  it('Japanese: JIS X 0208 in G0 (ESC $ B … ESC ( B), per PS3.5 H', () => {
    const name = bytes('Yamada^Tarou=', [ESC, 0x24, 0x42, 0x3b, 0x33, 0x45, 0x44], [ESC, 0x28, 0x42], '^Tarou');
    expect(decodePersonNames(name, '\\ISO 2022 IR 87')).toEqual([{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^Tarou' }]);
  });

  it('Korean: KS X 1001 in G1 (ESC $ ) C)', () => {
    const name = bytes('Hong^Gildong=', [ESC, 0x24, 0x29, 0x43, 0xc8, 0xab], '^', [ESC, 0x24, 0x29, 0x43, 0xb1, 0xe6, 0xb5, 0xbf]);
    expect(decodePersonNames(name, '\\ISO 2022 IR 149')[0]?.Ideographic).toBe('홍^길동');
  });

  it('a Person Name joins back from its groups', () => {
    expect(joinPersonName({ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小东' })).toBe('Wang^XiaoDong=王^小东');
    expect(joinPersonName({ Ideographic: '王' })).toBe('=王');
  });

  it('ISO_IR 100 is ISO 8859-1', () => {
    expect(decodeText(Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]), 'ISO_IR 100')).toBe('Müller');
  });

  it('no Specific Character Set: ASCII; non-ASCII bytes read as UTF-8 if valid, else GB18030', () => {
    expect(decodeText(Buffer.from('abc'), undefined)).toBe('abc');
    expect(decodeText(Buffer.from('王小东', 'utf8'), undefined)).toBe('王小东');
    expect(decodeText(Buffer.from([0xcd, 0xf5]), '')).toBe('王');
  });

  it('terms are recognised with forgiving spacing; unknown terms are reported', () => {
    expect(isKnownCharacterSet(' iso_ir 192 ')).toBe(true);
    expect(isKnownCharacterSet('\\ISO 2022 IR 58')).toBe(true);
    expect(isKnownCharacterSet('KLINGON')).toBe(false);
  });

  it('values are unpadded; ST keeps `\\` and leading spaces', () => {
    expect(decodeValues(Buffer.from(' A \\B '), undefined, 'LO')).toEqual(['A', 'B']);
    expect(decodeValues(Buffer.from('  a\\b '), undefined, 'ST')).toEqual(['  a\\b']);
  });
});
