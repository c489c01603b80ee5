import { existsSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { DicomParseError, parseInstanceFile } from '../src/dicom/parse.js';

/** Debian's python3-pydicom test files: big endian, implicit VR, deflate, RLE, JPEG, JPEG-LS, JPEG 2000, SR, RT, broken files. */
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const run = existsSync(PYDICOM) ? describe : describe.skip;

run('every pydicom test file parses or is refused with a reason (python3-pydicom)', () => {
  it('indexes frames where a whole-file parse finds the pixel data, and refuses only unreadable files', async () => {
    const files = (await readdir(PYDICOM)).filter((f) => f.endsWith('.dcm'));
    expect(files.length).toBeGreaterThan(50);
    const refused: string[] = [];
    for (const name of files) {
      const file = path.join(PYDICOM, name);
      const handle = await open(file);
      try {
        const parsed = await parseInstanceFile(handle, (await stat(file)).size, () => 'x');
        let whole;
        try {
          whole = dicomParser.parseDicom(await readFile(file));
        } catch {
          continue; // a file only the header parse reads (nothing to compare)
        }
        const pixel = whole.elements.x7fe00010;
        if (!parsed.frames || !pixel) continue;
        if (parsed.frames.kind === 'native') expect([name, parsed.frames.offset]).toEqual([name, pixel.dataOffset]);
        else expect([name, parsed.frames.frames.flat().map(([offset]) => offset)]).toEqual([name, pixel.fragments?.map((f) => f.position)]);
      } catch (error) {
        expect(error).toBeInstanceOf(DicomParseError);
        refused.push(name);
      } finally {
        await handle.close();
      }
    }
    // Files without the Part 10 preamble, truncated ones, and one with a bad length.
    expect(refused.sort()).toEqual(expect.arrayContaining(['MR_truncated.dcm', 'no_meta.dcm', 'rtplan_truncated.dcm']));
    expect(refused.length).toBeLessThan(12);
  });
});
