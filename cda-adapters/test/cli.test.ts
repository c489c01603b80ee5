import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { validateCda } from '../src/validate/validator.js';
import { documentXml, FULLY_MAPPED } from './fixtures/documents.js';

const run = promisify(execFile);
/** The built CLI, as `npm run cda` runs it (the root test script builds first). */
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;

describe('cda CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-cda-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('converts a folder to FHIR bundles and back, and summarises the failures', async () => {
    const input = path.join(dir, 'in');
    await mkdir(input);
    for (const code of FULLY_MAPPED) await writeFile(path.join(input, `${code}.xml`), documentXml(code));
    await writeFile(path.join(input, 'broken.xml'), '<ClinicalDocument xmlns="urn:hl7-org:v3">\n<title>x</titel>');

    const toFhir = await run(process.execPath, [CLI, 'to-fhir', input, path.join(dir, 'fhir')]).catch((e: { stdout: string; code: number }) => e);
    expect((toFhir as { code?: number }).code).toBe(1);
    expect(toFhir.stdout).toContain(`done ${FULLY_MAPPED.length}/${FULLY_MAPPED.length + 1}, 1 failed`);
    expect(toFhir.stdout).toMatch(/✗ broken\.xml: CDA-XML-005 .*line 2, column/);
    const bundles = await readdir(path.join(dir, 'fhir'));
    expect(bundles.sort()).toEqual(FULLY_MAPPED.map((c) => `${c}.json`).sort());
    const bundle = JSON.parse(await readFile(path.join(dir, 'fhir', 'C0007.json'), 'utf8'));
    expect(bundle.type).toBe('transaction');

    const back = await run(process.execPath, [CLI, 'to-cda', path.join(dir, 'fhir'), path.join(dir, 'cda')]);
    expect(back.stdout).toContain(`done ${FULLY_MAPPED.length}/${FULLY_MAPPED.length}, 0 failed`);
    const again = await readFile(path.join(dir, 'cda', 'C0002.xml'), 'utf8');
    expect(validateCda(again)).toEqual([]);
  });
});
