import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkDecodedInstance, CodecError, decodable, decodeFrame, type PixelLayout } from '../src/codec/index.js';
import { decompressPart10 } from '../src/codec/part10.js';
import { parseInstanceFile } from '../src/dicom/parse.js';
import { pixelLayout } from '../src/dicom/pixel-layout.js';

/** Debian's python3-pydicom test files, and DCMTK's compressors and decompressors as the reference codecs. */
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const DCMTK = ['dcmcjpeg', 'dcmcjpls', 'dcmcrle', 'dcmdjpeg', 'dcmdrle'].every((tool) => existsSync(`/usr/bin/${tool}`));
const run = existsSync(PYDICOM) && DCMTK ? describe : describe.skip;

/** An RLE frame header naming `segments` one-byte segments (then the bytes). */
function rleHeader(segments: number): Buffer {
  const frame = Buffer.alloc(64 + segments);
  frame.writeUInt32LE(segments, 0);
  for (let i = 0; i < segments; i++) frame.writeUInt32LE(64 + i, 4 + i * 4);
  return frame;
}

interface Instance {
  transferSyntax: string;
  layout: PixelLayout;
  frames: number;
  frame(n: number): Buffer;
}

/** A Part 10 file read the way the store indexes it: header parse, then each frame by its indexed byte ranges. */
async function load(file: string): Promise<Instance> {
  const bytes = readFileSync(file);
  const reader = { read: async (buffer: Buffer, offset: number, length: number, position: number) => bytes.copy(buffer, offset, position, position + length) };
  const parsed = await parseInstanceFile(reader, bytes.length, () => 'x');
  const index = parsed.frames;
  if (!index) throw new Error(`${file} has no frames`);
  return {
    transferSyntax: parsed.transferSyntaxUID,
    layout: pixelLayout(parsed.json),
    frames: index.kind === 'native' ? index.count : index.frames.length,
    frame: (n) =>
      index.kind === 'native'
        ? bytes.subarray(index.offset + (n - 1) * index.length, index.offset + n * index.length)
        : Buffer.concat((index.frames[n - 1] ?? []).map(([offset, length]) => bytes.subarray(offset, offset + length))),
  };
}

run('decoding compressed frames against the uncompressed originals (pydicom files, DCMTK)', () => {
  let dir: string;
  const tool = (name: string, ...args: string[]) => execFileSync(`/usr/bin/${name}`, args, { stdio: 'pipe' });
  const made = (name: string) => path.join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qiao-codec-'));
    for (const source of ['MR_small.dcm', 'CT_small.dcm']) {
      const from = path.join(PYDICOM, source);
      tool('dcmcjpeg', from, made(`jpeg-lossless-${source}`));
      tool('dcmcjpls', from, made(`jpeg-ls-${source}`));
      tool('dcmcrle', from, made(`rle-${source}`));
    }
    for (const source of ['SC_rgb_rle.dcm', 'SC_rgb_rle_2frame.dcm', 'SC_rgb_rle_16bit_2frame.dcm']) tool('dcmdrle', path.join(PYDICOM, source), made(`native-${source}`));
    tool('dcmdjpeg', path.join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm'), made('native-SC_rgb_jpeg_dcmtk.dcm'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function expectSamePixels(compressedFile: string, nativeFile: string): Promise<void> {
    const compressed = await load(compressedFile);
    const native = await load(nativeFile);
    expect(decodable(compressed.transferSyntax)).toBe(true);
    expect(compressed.frames).toBe(native.frames);
    for (let n = 1; n <= compressed.frames; n++) {
      const { pixels } = await decodeFrame(compressed.transferSyntax, compressed.frame(n), compressed.layout);
      expect([path.basename(compressedFile), n, pixels.equals(native.frame(n))]).toEqual([path.basename(compressedFile), n, true]);
    }
  }

  it('decodes the lossless MR_small variants (RLE, JPEG 2000, JPEG-LS) to exactly the uncompressed pixels', async () => {
    for (const name of ['MR_small_RLE.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm']) {
      await expectSamePixels(path.join(PYDICOM, name), path.join(PYDICOM, 'MR_small.dcm'));
    }
  });

  it('decodes what DCMTK compressed losslessly (JPEG Lossless SV1, JPEG-LS, RLE; unsigned and signed 16-bit) to the original pixels', async () => {
    for (const source of ['MR_small.dcm', 'CT_small.dcm']) {
      for (const kind of ['jpeg-lossless', 'jpeg-ls', 'rle']) await expectSamePixels(made(`${kind}-${source}`), path.join(PYDICOM, source));
    }
    expect((await load(made('jpeg-lossless-CT_small.dcm'))).transferSyntax).toBe('1.2.840.10008.1.2.4.70');
  });

  it('decodes colour RLE (8 and 16 bits, several frames) as DCMTK does, and colour JPEG baseline to the same RGB', async () => {
    for (const source of ['SC_rgb_rle.dcm', 'SC_rgb_rle_2frame.dcm', 'SC_rgb_rle_16bit_2frame.dcm']) await expectSamePixels(path.join(PYDICOM, source), made(`native-${source}`));
    const jpeg = await load(path.join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm'));
    expect(jpeg.layout.photometric).toBe('YBR_FULL');
    const decoded = await decodeFrame(jpeg.transferSyntax, jpeg.frame(1), jpeg.layout);
    expect(decoded.photometric).toBe('RGB');
    expect(decoded.pixels.equals((await load(made('native-SC_rgb_jpeg_dcmtk.dcm'))).frame(1))).toBe(true);
  });

  it('lays colour samples out by plane when the instance says Planar Configuration 1', async () => {
    const rle = await load(path.join(PYDICOM, 'SC_rgb_rle.dcm'));
    const interleaved = (await decodeFrame(rle.transferSyntax, rle.frame(1), rle.layout)).pixels;
    const planar = (await decodeFrame(rle.transferSyntax, rle.frame(1), { ...rle.layout, planar: true })).pixels;
    const pixels = rle.layout.rows * rle.layout.columns;
    for (const i of [0, 1, pixels >> 1, pixels - 1]) {
      for (let c = 0; c < 3; c++) expect(planar[c * pixels + i]).toBe(interleaved[i * 3 + c]);
    }
  });

  it('rewrites a compressed Part 10 file as explicit VR little endian with native pixels that DCMTK reads (decompressPart10)', async () => {
    for (const [source, reference, photometric] of [
      [path.join(PYDICOM, 'MR_small_jp2klossless.dcm'), path.join(PYDICOM, 'MR_small.dcm'), 'MONOCHROME2'],
      [path.join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm'), made('native-SC_rgb_jpeg_dcmtk.dcm'), 'RGB'],
      [path.join(PYDICOM, 'SC_rgb_rle_2frame.dcm'), made('native-SC_rgb_rle_2frame.dcm'), 'RGB'],
    ] as const) {
      const out = made(`decompressed-${path.basename(source)}`);
      writeFileSync(out, await decompressPart10(readFileSync(source)));
      const dump = tool('dcmdump', '+P', '0002,0010', '+P', '0028,0004', '+P', '0008,0018', out).toString();
      expect(dump).toMatch(/LittleEndianExplicit/);
      expect(dump).toContain(`[${photometric}]`);
      const [decompressed, expected] = [await load(out), await load(reference)];
      expect(decompressed.frames).toBe(expected.frames);
      for (let n = 1; n <= expected.frames; n++) expect(decompressed.frame(n).equals(expected.frame(n))).toBe(true);
    }
    await expect(decompressPart10(readFileSync(path.join(PYDICOM, 'MR_small.dcm')))).rejects.toBeInstanceOf(CodecError);
  });

  it('refuses damaged codestreams, wrong sizes and syntaxes without a decoder with a CodecError, and decodes on afterwards', async () => {
    const mr = await load(path.join(PYDICOM, 'MR_small_jp2klossless.dcm'));
    const grey = mr.layout;
    const cases: [string, Buffer, PixelLayout][] = [
      ['1.2.840.10008.1.2.4.90', Buffer.alloc(500, 7), grey],
      ['1.2.840.10008.1.2.4.50', Buffer.from([0xff, 0xd8, 0xff, 0xc0, 1, 2, 3]), grey],
      ['1.2.840.10008.1.2.4.80', Buffer.alloc(100, 255), grey],
      ['1.2.840.10008.1.2.4.70', Buffer.from([0xff, 0xd8, 0xff, 0xc3, 0, 11, 8, 0, 64, 0, 64, 1, 1, 0x11, 0]), grey],
      ['1.2.840.10008.1.2.5', Buffer.alloc(10), grey],
      // A valid codestream whose size is not the instance's.
      ['1.2.840.10008.1.2.4.90', mr.frame(1), { ...grey, rows: 32 }],
      ['1.2.840.10008.1.2.4.90', mr.frame(1), { ...grey, bitsAllocated: 8 }],
      ['1.2.840.10008.1.2.4.100', mr.frame(1), grey],
      // An instance claiming 65535×65535 colour pixels over a few bytes of RLE: refused, nothing allocated.
      ['1.2.840.10008.1.2.5', rleHeader(6), { ...grey, rows: 65535, columns: 65535, samplesPerPixel: 3 }],
    ];
    for (const [syntax, data, layout] of cases) {
      await expect(decodeFrame(syntax, data, layout)).rejects.toBeInstanceOf(CodecError);
    }
    // A whole instance decoded at once (bulk data, a decompressed file) is bounded too, before any decoding.
    const slice = { ...grey, rows: 512, columns: 512 };
    expect(() => checkDecodedInstance(slice, 100)).not.toThrow();
    expect(() => checkDecodedInstance(slice, 5000)).toThrow(CodecError);
    const again = await decodeFrame(mr.transferSyntax, mr.frame(1), grey);
    expect(again.pixels.equals((await load(path.join(PYDICOM, 'MR_small.dcm'))).frame(1))).toBe(true);
    // RLE segments that run past the frame, or stop short of a plane.
    const rle = await load(path.join(PYDICOM, 'MR_small_RLE.dcm'));
    const frame = Buffer.from(rle.frame(1));
    await expect(decodeFrame(rle.transferSyntax, frame.subarray(0, frame.length >> 1), rle.layout)).rejects.toBeInstanceOf(CodecError);
    const overrun = Buffer.from(frame);
    overrun.writeUInt32LE(frame.length + 10, 8);
    await expect(decodeFrame(rle.transferSyntax, overrun, rle.layout)).rejects.toBeInstanceOf(CodecError);
  });
});
