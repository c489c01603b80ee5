import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { parseInstanceFile, type ParsedInstance } from '../src/dicom/parse.js';
import { synthInstance } from './support/synth.js';
import { element } from './charset/part10.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';

const SAMPLES = path.resolve(import.meta.dirname, 'data');
const paths = (ids: { study: string; series: string; sop: string }) => `studies/${ids.study}/series/${ids.series}/instances/${ids.sop}`;

async function parseFile(file: string): Promise<ParsedInstance> {
  const handle = await open(file);
  try {
    return await parseInstanceFile(handle, (await stat(file)).size, paths);
  } finally {
    await handle.close();
  }
}

describe('parseInstanceFile', () => {
  it('indexes native pixel data where a whole-file parse finds it', async () => {
    const file = path.join(SAMPLES, 'CT_small.dcm');
    const parsed = await parseFile(file);
    const whole = dicomParser.parseDicom(await readFile(file));
    const pixel = whole.elements.x7fe00010!;
    expect(parsed.frames).toEqual({ kind: 'native', offset: pixel.dataOffset, length: pixel.length, count: 1 });
    expect(parsed.sopInstanceUID).toBe(whole.string('x00080018'));
    expect(parsed.json['7FE00010']?.BulkDataURI).toMatch(/\/bulk\/7FE00010$/);
    expect(parsed.json['00280010']).toEqual({ vr: 'US', Value: [128] });
  });

  it('splits a multi-frame instance into frames by arithmetic on the pixel data offset', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-parse-'));
    const file = path.join(dir, 'mf.dcm');
    await writeFile(file, synthInstance({ studyUid: '1.2.3', seriesUid: '1.2.3.4', sopUid: '1.2.3.4.5', frames: 5, rows: 4, columns: 4 }));
    const parsed = await parseFile(file);
    expect(parsed.frames).toMatchObject({ kind: 'native', length: 32, count: 5 });
    const bytes = await readFile(file);
    const f = parsed.frames as { offset: number; length: number };
    const frame3 = new Uint16Array(bytes.buffer.slice(bytes.byteOffset + f.offset + 2 * f.length, bytes.byteOffset + f.offset + 3 * f.length));
    expect(frame3[0]).toBe(2000);
    expect(frame3[15]).toBe(2015);
  });

  it('indexes the fragments of encapsulated pixel data (JPEG 2000)', async () => {
    const file = path.join(SAMPLES, 'RG3_J2KI_CR_jpeg2000.dcm');
    const parsed = await parseFile(file);
    const whole = dicomParser.parseDicom(await readFile(file));
    const fragments = whole.elements.x7fe00010!.fragments!;
    expect(parsed.frames).toEqual({ kind: 'encapsulated', frames: [fragments.map((f) => [f.position, f.length])] });
  });

  it('decodes Chinese person names per the Specific Character Set into Alphabetic and Ideographic groups', async () => {
    const utf8 = await parseFile(path.join(SAMPLES, 'chrX1_ISO_IR_192_chinese_name.dcm'));
    const gb = await parseFile(path.join(SAMPLES, 'chrX2_GB18030_chinese_name.dcm'));
    expect(utf8.json['00100010']?.Value).toEqual([{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' }]);
    expect(gb.json['00100010']?.Value).toEqual([{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小东' }]);
    // DICOM JSON is UTF-8, so the declared set is rewritten, and declared where the file had none.
    expect(gb.json['00080005']?.Value).toEqual(['ISO_IR 192']);
    const undeclared = await parseFile(path.join(SAMPLES, 'MR_small.dcm'));
    expect(undeclared.json['00080005']).toEqual({ vr: 'CS', Value: ['ISO_IR 192'] });
  });

  it('gives large binaries inside sequences bulk data URIs with their path (ECG waveform)', async () => {
    const parsed = await parseFile(path.join(SAMPLES, 'anonymous_ecg_12lead_waveform.dcm'));
    expect(Object.keys(parsed.bulk)).toEqual(['54000100.1.54001010', '54000100.2.54001010']);
    const item = (parsed.json['54000100']?.Value as Record<string, { BulkDataURI?: string }>[])[0];
    expect(item?.['54001010']?.BulkDataURI).toMatch(/\/bulk\/54000100\.1\.54001010$/);
  });

  it('rejects a file that is not Part 10 and one cut short inside its header', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-parse-'));
    const junk = path.join(dir, 'junk.dcm');
    await writeFile(junk, Buffer.from('this is not DICOM at all'.repeat(20)));
    await expect(parseFile(junk)).rejects.toThrow(/DICM/);
    const cut = path.join(dir, 'cut.dcm');
    await writeFile(cut, (await readFile(path.join(SAMPLES, 'CT_small.dcm'))).subarray(0, 700));
    await expect(parseFile(cut)).rejects.toThrow();
  });

  it('rejects pixel data cut short, native or encapsulated', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-parse-'));
    const native = path.join(dir, 'native.dcm');
    await writeFile(native, (await readFile(path.join(SAMPLES, 'CT_small.dcm'))).subarray(0, 30000));
    await expect(parseFile(native)).rejects.toThrow(/pixel data truncated/);
    const j2k = path.join(dir, 'j2k.dcm');
    await writeFile(j2k, (await readFile(path.join(SAMPLES, 'RG3_J2KI_CR_jpeg2000.dcm'))).subarray(0, 100000));
    await expect(parseFile(j2k)).rejects.toThrow(/truncated/);
  });

  it('checks that the elements after pixel data end exactly at the end of the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-parse-'));
    const ids = { studyUid: '1.2.3', seriesUid: '1.2.3.4', sopUid: '1.2.3.4.5' };
    // A private creator and a private OB after Pixel Data, and a sequence of undefined length with one item of undefined length.
    const privateTail = Buffer.concat([
      Buffer.from([0xe1, 0x7f, 0x10, 0x00, 0x4c, 0x4f, 0x0c, 0x00]), Buffer.from('PRIVCREATOR '),
      element(0x7fe1, 0x1010, 'OB', Buffer.alloc(4000, 1)),
      Buffer.from([0xe1, 0x7f, 0x20, 0x10, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x08, 0x00, 0x60, 0x00, 0x43, 0x53, 0x02, 0x00]), Buffer.from('CT'),
      Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
    ]);
    const files = {
      native: Buffer.concat([synthInstance(ids), privateTail]),
      padded: synthInstance({ ...ids, extra: { DataSetTrailingPadding: new Uint8Array(226).buffer } }),
      encapsulated: Buffer.concat([await readFile(path.join(SAMPLES, 'RG3_J2KI_CR_jpeg2000.dcm')), privateTail]),
    };
    for (const [name, bytes] of Object.entries(files)) {
      const whole = path.join(dir, `${name}.dcm`);
      await writeFile(whole, bytes);
      // Where the trailing padding begins is known, so that the store can leave it out of the instance's hash.
      await expect(parseFile(whole)).resolves.toMatchObject({ frames: expect.anything(), paddingStart: name === 'padded' ? bytes.length - 12 - 226 : undefined });
      for (const [how, changed] of [['cut', bytes.subarray(0, bytes.length - 100)], ['cut inside the sequence', bytes.subarray(0, bytes.length - 12)], ['followed by junk', Buffer.concat([bytes, Buffer.alloc(3)])]] as const) {
        const file = path.join(dir, `${name}-${how}.dcm`);
        await writeFile(file, changed);
        await expect(parseFile(file).then(() => `${name} ${how}: accepted`)).rejects.toThrow(/after the pixel data/);
      }
    }
  });
});
