import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { useTestServer } from '../support/test-server.js';
import { dicomwebClient, failure } from './client.js';
import { CodecError, decodeFrame } from '../../../dicom-gateway/dist/codec/index.js';
import { decodeFrameOffThread } from '../../../dicom-gateway/dist/codec/pool.js';

jest.setTimeout(120_000);

/** Debian's python3-pydicom test files, compressed further and decompressed for reference by DCMTK (both installed by .ci/run). */
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const TOOLS = ['dcmcjpeg', 'dcmcjpls', 'dcmcrle', 'dcmdjpeg', 'dcmodify'].every((tool) => existsSync(`/usr/bin/${tool}`));
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

interface Sample {
  file: string;
  study: string;
  series: string;
  sop: string;
}

function sample(file: string): Sample {
  const set = dicomParser.parseDicom(readFileSync(file));
  return { file, study: set.string('x0020000d') as string, series: set.string('x0020000e') as string, sop: set.string('x00080018') as string };
}

/** The pixel data of a native file (one frame): what a decoded frame must equal. */
function nativePixels(file: string): Buffer {
  const bytes = readFileSync(file);
  const pixel = dicomParser.parseDicom(bytes).elements.x7fe00010 as dicomParser.Element;
  return bytes.subarray(pixel.dataOffset, pixel.dataOffset + pixel.length);
}

(existsSync(PYDICOM) && TOOLS ? describe : describe.skip)('WADO-RS frames and renderings of compressed instances, decoded (pglite)', () => {
  const server = useTestServer('pglite');
  let dir: string;
  const made: Record<string, Sample> = {};

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qiao-decoded-'));
    const tool = (name: string, ...args: string[]) => execFileSync(`/usr/bin/${name}`, args, { stdio: 'pipe' });
    const mr = path.join(PYDICOM, 'MR_small.dcm');
    const ct = path.join(PYDICOM, 'CT_small.dcm');
    // Each compressed copy gets a SOP Instance UID of its own, so that all of them are stored beside the originals.
    const copies: [string, (out: string) => void][] = [
      ['mr-jpeg-2000', (out) => tool('cp', path.join(PYDICOM, 'MR_small_jp2klossless.dcm'), out)],
      ['mr-jpeg-lossless', (out) => tool('dcmcjpeg', mr, out)],
      ['mr-jpeg-ls', (out) => tool('dcmcjpls', mr, out)],
      ['mr-rle', (out) => tool('dcmcrle', mr, out)],
      ['ct-jpeg-lossless', (out) => tool('dcmcjpeg', ct, out)],
    ];
    for (const [i, [name, make]] of copies.entries()) {
      const out = path.join(dir, `${name}.dcm`);
      make(out);
      tool('dcmodify', '-nb', '-m', `(0008,0018)=2.25.${4242000 + i}`, out);
      made[name] = sample(out);
    }
    tool('dcmdjpeg', path.join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm'), path.join(dir, 'rgb-native.dcm'));
    for (const name of ['MR_small.dcm', 'CT_small.dcm', 'SC_rgb_jpeg_dcmtk.dcm', 'JPEG-lossy.dcm']) made[name] = sample(path.join(PYDICOM, name));
    const datasets = Object.values(made).map(({ file }) => {
      const b = readFileSync(file);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    });
    const reply = await dicomwebClient(`${server.url}/dicomweb`).storeInstances({ datasets });
    expect(JSON.parse(Buffer.from(reply as ArrayBuffer).toString())['00081199'].Value).toHaveLength(datasets.length);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const url = (s: Sample, rest: string) => `${server.url}/dicomweb/studies/${s.study}/series/${s.series}/instances/${s.sop}/${rest}`;
  const ids = (s: Sample) => ({ studyInstanceUID: s.study, seriesInstanceUID: s.series, sopInstanceUID: s.sop });

  it('sends frames of every lossless syntax uncompressed when asked for octet-stream, equal to the original pixels (dicomweb-client)', async () => {
    const c = dicomwebClient(`${server.url}/dicomweb`);
    const original = nativePixels(path.join(PYDICOM, 'MR_small.dcm'));
    for (const name of ['mr-jpeg-2000', 'mr-jpeg-lossless', 'mr-jpeg-ls', 'mr-rle']) {
      // Three times: decoded, decoded again and kept, then from memory.
      for (let read = 1; read <= 3; read++) {
        const [frame] = await c.retrieveInstanceFrames({ ...ids(made[name] as Sample), frameNumbers: '1' });
        expect([name, read, Buffer.from(frame).equals(original)]).toEqual([name, read, true]);
      }
    }
    const [ct] = await c.retrieveInstanceFrames({ ...ids(made['ct-jpeg-lossless'] as Sample), frameNumbers: '1' });
    expect(Buffer.from(ct).equals(nativePixels(path.join(PYDICOM, 'CT_small.dcm')))).toBe(true);
    // Colour JPEG baseline (YBR_FULL) decodes to the RGB DCMTK makes of it.
    const [rgb] = await c.retrieveInstanceFrames({ ...ids(made['SC_rgb_jpeg_dcmtk.dcm'] as Sample), frameNumbers: '1' });
    expect(Buffer.from(rgb).equals(nativePixels(path.join(dir, 'rgb-native.dcm')))).toBe(true);
  });

  it('labels decoded parts explicit VR little endian, still sends the stored codestream when asked for it, and decodes bulk pixel data', async () => {
    const rle = made['mr-rle'] as Sample;
    const decoded = await fetch(url(rle, 'frames/1'), { headers: { accept: 'multipart/related; type="application/octet-stream"' } });
    expect(decoded.status).toBe(200);
    const body = Buffer.from(await decoded.arrayBuffer()).toString('latin1');
    expect(body).toContain(`Content-Type: application/octet-stream; transfer-syntax=${EXPLICIT_LE}`);
    const stored = await fetch(url(rle, 'frames/1'), { headers: { accept: 'multipart/related; type="image/dicom-rle"; transfer-syntax=1.2.840.10008.1.2.5' } });
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toContain('image/dicom-rle');
    const bulk = await dicomwebClient(`${server.url}/dicomweb`).retrieveBulkData({ BulkDataURI: url(rle, 'bulk/7FE00010') });
    expect(Buffer.from(bulk[0]).equals(nativePixels(path.join(PYDICOM, 'MR_small.dcm')))).toBe(true);
  });

  it('retrieves a compressed instance decompressed when explicit VR little endian is demanded, as stored otherwise', async () => {
    const c = dicomwebClient(`${server.url}/dicomweb`);
    const jls = made['mr-jpeg-ls'] as Sample;
    // dicomweb-client asks for instances as stored only: the demand for a syntax is made by hand.
    const explicit = `multipart/related; type="application/dicom"; transfer-syntax=${EXPLICIT_LE}`;
    const reply = await fetch(url(jls, ''), { headers: { accept: explicit } });
    expect(reply.status).toBe(200);
    const body = Buffer.from(await reply.arrayBuffer());
    const boundary = /boundary=([^;]+)/.exec(reply.headers.get('content-type') ?? '')?.[1] as string;
    const start = body.indexOf('\r\n\r\n') + 4;
    const file = body.subarray(start, body.indexOf(`\r\n--${boundary}--`));
    expect(body.subarray(0, start).toString()).toContain(`transfer-syntax=${EXPLICIT_LE}`);
    const set = dicomParser.parseDicom(file);
    expect(set.string('x00020010')).toBe(EXPLICIT_LE);
    expect(set.string('x00080018')).toBe(jls.sop);
    const pixel = set.elements.x7fe00010 as dicomParser.Element;
    expect(file.subarray(pixel.dataOffset, pixel.dataOffset + pixel.length).equals(nativePixels(path.join(PYDICOM, 'MR_small.dcm')))).toBe(true);
    const stored = Buffer.from((await c.retrieveInstance(ids(jls))) as ArrayBuffer);
    expect(stored.equals(readFileSync(jls.file))).toBe(true);
    const lossy = made['JPEG-lossy.dcm'] as Sample;
    expect((await fetch(url(lossy, ''), { headers: { accept: explicit } })).status).toBe(406);
  });

  it('renders a compressed instance exactly as its uncompressed original', async () => {
    for (const [compressed, original] of [['ct-jpeg-lossless', 'CT_small.dcm'], ['mr-jpeg-2000', 'MR_small.dcm']] as const) {
      const get = async (s: Sample) => {
        const res = await fetch(url(s, 'rendered?window=100,400'), { headers: { accept: 'image/png' } });
        expect([compressed, res.status]).toEqual([compressed, 200]);
        return Buffer.from(await res.arrayBuffer());
      };
      const png = await get(made[compressed] as Sample);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.equals(await get(made[original] as Sample))).toBe(true);
    }
    const thumbnail = await fetch(url(made['SC_rgb_jpeg_dcmtk.dcm'] as Sample, 'thumbnail'), { headers: { accept: 'image/jpeg' } });
    expect(thumbnail.status).toBe(200);
    expect(Buffer.from(await thumbnail.arrayBuffer()).readUInt16BE(0)).toBe(0xffd8);
  });

  it('answers 406 with the reason where it cannot decode (12-bit JPEG) or produce the syntax asked for, and the stored bytes on request', async () => {
    const lossy = made['JPEG-lossy.dcm'] as Sample;
    const refused = await failure(dicomwebClient(`${server.url}/dicomweb`).retrieveInstanceFrames({ ...ids(lossy), frameNumbers: '1' }));
    expect(refused.status).toBe(406);
    const outcome = await fetch(url(lossy, 'frames/1'), { headers: { accept: 'multipart/related; type="application/octet-stream"' } });
    expect(outcome.status).toBe(406);
    const text = JSON.stringify(await outcome.json());
    expect(text).toContain('无法解压');
    expect(text).toContain('cannot be decompressed');
    const asStored = await fetch(url(lossy, 'frames/1'), { headers: { accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } });
    expect(asStored.status).toBe(200);
    expect((await fetch(url(lossy, 'rendered'), { headers: { accept: 'image/jpeg' } })).status).toBe(406);
    // A native instance is never "compressed" on request.
    const native = await fetch(url(made['MR_small.dcm'] as Sample, 'frames/1'), { headers: { accept: 'multipart/related; type="image/jls"; transfer-syntax=1.2.840.10008.1.2.4.80' } });
    expect(native.status).toBe(406);
  });
});

describe('the decoding thread', () => {
  it('decodes off the event loop: a timer fires while a JPEG 2000 radiograph is decoded five times, and the pixels are those decoded in this thread', async () => {
    const file = readFileSync(path.resolve(import.meta.dirname, '../../../dicom-gateway/test/data/RG3_J2KI_CR_jpeg2000.dcm'));
    const set = dicomParser.parseDicom(file);
    const pixel = set.elements.x7fe00010 as dicomParser.Element;
    const frame = Buffer.concat((pixel.fragments ?? []).map((f) => file.subarray(f.position, f.position + f.length)));
    const layout = { rows: set.uint16('x00280010')!, columns: set.uint16('x00280011')!, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: set.uint16('x00280101')!, signed: false, photometric: 'MONOCHROME2', planar: false };
    const syntax = set.string('x00020010') as string;
    let fired = false;
    let settled = false;
    const timer = new Promise<void>((resolve) => setTimeout(() => resolve(void (fired = !settled)), 20));
    const decoded = await Promise.all(Array.from({ length: 5 }, () => decodeFrameOffThread(syntax, frame, layout))).finally(() => (settled = true));
    await timer;
    // In the calling thread the five decodes (≈ 90 ms each here) would run before any timer.
    expect(fired).toBe(true);
    const here = await decodeFrame(syntax, frame, layout);
    expect(decoded.every((d) => d.pixels.equals(here.pixels))).toBe(true);
    await expect(decodeFrameOffThread(syntax, frame.subarray(0, 40), layout)).rejects.toBeInstanceOf(CodecError);
  });
});
