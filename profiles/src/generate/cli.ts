import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { packageFiles } from './files.js';
import { loadPackage } from './package.js';

/** Writes the FHIR package to `profiles/package/` (committed; a test keeps it equal to the definitions). */
const out = new URL('../../package/', import.meta.url);
const files = packageFiles(loadPackage());
rmSync(out, { recursive: true, force: true });
mkdirSync(new URL('example/', out), { recursive: true });
for (const [path, text] of files) writeFileSync(new URL(path, out), text);
console.log(`${out.pathname}: ${files.size} files`);
