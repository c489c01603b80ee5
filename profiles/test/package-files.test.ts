import { readdirSync, readFileSync } from 'node:fs';
import { packageFiles } from '../src/generate/files.js';
import { loadPackage } from '../src/generate/package.js';

const dir = new URL('../package/', import.meta.url);

describe('the committed FHIR package (profiles/package)', () => {
  it('is what the definitions generate: run `npm run build && npm run generate -w profiles` after changing them', () => {
    const expected = packageFiles(loadPackage());
    const committed = [...readdirSync(dir), ...readdirSync(new URL('example/', dir)).map((f) => `example/${f}`)].filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual([...expected.keys()].sort());
    for (const [path, text] of expected) expect([path, readFileSync(new URL(path, dir), 'utf8')]).toEqual([path, text]);
  });
});
