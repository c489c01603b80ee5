#!/usr/bin/env node
/**
 * Batch conversion of shared documents (共享文档批量转换):
 *   npm run cda -- to-fhir <folder of .xml> <output folder>   CDA → FHIR transaction Bundles (.json)
 *   npm run cda -- to-cda  <folder of .json> <output folder>  Bundles (as to-fhir writes them) → CDA (.xml)
 *   npm run cda -- validate <folder of .xml>                  issues of every document
 * Shows progress on stderr and ends with a summary of the failures; exits 1 if any file failed.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { blocking, prepareImport } from './index.js';
import { fhirToCda } from './generate/cda.js';
import { validateCda } from './validate/validator.js';
import type { CdaIssue } from './issues.js';

type Json = Record<string, unknown>;

interface Failure {
  file: string;
  reason: string;
}

const USAGE = `用法 | usage:
  npm run cda -- to-fhir <输入目录 input> <输出目录 output>
  npm run cda -- to-cda <输入目录 input> <输出目录 output>
  npm run cda -- validate <输入目录 input>`;

function describe(issues: CdaIssue[]): string {
  const first = issues.find((i) => i.severity === 'fatal' || i.severity === 'error') ?? issues[0];
  return first ? `${first.id} ${first.zh} | ${first.en}${first.expression ? ` @ ${first.expression}` : ''}` : '';
}

function progress(done: number, total: number, file: string): void {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${file}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line.slice(0, (process.stderr.columns ?? 100) - 1).padEnd((process.stderr.columns ?? 100) - 1)}`);
  else if (done === total || done % Math.max(1, Math.floor(total / 10)) === 0) process.stderr.write(`${line}\n`);
}

/** Runs `convert` over the files of `input` with the extension, writing what it returns into `output`. */
async function each(input: string, ext: string, output: string | undefined, convert: (bytes: Buffer) => { out?: string; error?: string; warnings?: number }): Promise<number> {
  const files = (await readdir(input)).filter((f) => f.toLowerCase().endsWith(ext)).sort();
  if (output) await mkdir(output, { recursive: true });
  const failures: Failure[] = [];
  let warnings = 0;
  for (const [i, file] of files.entries()) {
    try {
      const result = convert(await readFile(path.join(input, file)));
      warnings += result.warnings ?? 0;
      if (result.error) failures.push({ file, reason: result.error });
      else if (output && result.out !== undefined) await writeFile(path.join(output, file.replace(/\.[^.]+$/, ext === '.xml' ? '.json' : '.xml')), result.out);
    } catch (error) {
      failures.push({ file, reason: error instanceof Error ? error.message : String(error) });
    }
    progress(i + 1, files.length, file);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const ok = files.length - failures.length;
  process.stdout.write(`完成 ${ok}/${files.length}，失败 ${failures.length}，警告 ${warnings} | done ${ok}/${files.length}, ${failures.length} failed, ${warnings} warnings\n`);
  for (const f of failures) process.stdout.write(`  ✗ ${f.file}: ${f.reason}\n`);
  return failures.length ? 1 : 0;
}

function toFhir(bytes: Buffer) {
  const result = prepareImport(bytes);
  const warnings = result.issues.filter((i) => i.severity === 'warning').length;
  if (!result.transaction) return { error: describe(result.issues), warnings };
  return { out: JSON.stringify(result.transaction, null, 2), warnings };
}

function toCda(bytes: Buffer) {
  const bundle = JSON.parse(bytes.toString('utf8')) as Json;
  const entries = ((bundle.entry as Json[] | undefined) ?? []).filter((e) => e.resource);
  const index = new Map<string, Json>();
  for (const e of entries) {
    const r = e.resource as Json;
    if (typeof e.fullUrl === 'string') index.set(e.fullUrl, r);
    if (r.id) index.set(`${String(r.resourceType)}/${String(r.id)}`, r);
  }
  const composition = entries.map((e) => e.resource as Json).find((r) => r.resourceType === 'Composition');
  if (!composition) return { error: '没有 Composition | the Bundle has no Composition' };
  const xml = fhirToCda(composition, (ref) => (ref ? index.get(ref) : undefined));
  const issues = validateCda(xml);
  if (blocking(issues)) return { error: describe(issues) };
  return { out: xml, warnings: issues.filter((i) => i.severity === 'warning').length };
}

function validateOnly(bytes: Buffer) {
  const issues = validateCda(bytes);
  return blocking(issues) ? { error: describe(issues) } : { warnings: issues.filter((i) => i.severity === 'warning').length };
}

async function main(argv: string[]): Promise<number> {
  const [command, input, output] = argv;
  if (command === 'to-fhir' && input && output) return each(input, '.xml', output, toFhir);
  if (command === 'to-cda' && input && output) return each(input, '.json', output, toCda);
  if (command === 'validate' && input) return each(input, '.xml', undefined, validateOnly);
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
