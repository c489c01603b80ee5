#!/usr/bin/env node
/**
 * `npm run terminology:import -- --system icd10cn --version 2.0 file.xlsx`: loads an official code
 * file (CSV with a header line, or an XLSX workbook whose first sheet has one) into a running
 * server through `CodeSystem/$import-csv`, or with `--out file.json` writes the CodeSystem instead.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { NATIONAL } from '../content/national-systems.js';
import { codeSystemFromTable, isXlsx, rowsFromFile } from './table.js';

const SYSTEMS: Record<string, { url: string; title: string; name: string }> = {
  icd10cn: { url: NATIONAL.icd10cn, title: '疾病分类与代码国家临床版', name: 'ICD10NationalClinical' },
  icd9cm3: { url: NATIONAL.icd9cm3, title: '手术操作分类代码国家临床版', name: 'ICD9CM3NationalClinical' },
  icdo3: { url: NATIONAL.icdo3, title: '国际疾病分类肿瘤学专辑第3版', name: 'ICDO3' },
  loinc: { url: NATIONAL.loinc, title: 'LOINC', name: 'LOINC' },
  icd10: { url: NATIONAL.icd10, title: 'ICD-10', name: 'ICD10WHO' },
};

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const USAGE = `用法 | usage: terminology:import -- --system <${Object.keys(SYSTEMS).join('|')}> | --url <canonical>
  --version <version> [--title <title>] [--server http://localhost:8080/fhir | --out codesystem.json] file.csv|file.xlsx`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      system: { type: 'string' },
      url: { type: 'string' },
      version: { type: 'string' },
      title: { type: 'string' },
      server: { type: 'string', default: process.env.QIAO_FHIR_BASE ?? 'http://localhost:8080/fhir' },
      out: { type: 'string' },
    },
    allowPositionals: true,
  });
  const known = values.system ? SYSTEMS[values.system] : undefined;
  const url = values.url ?? known?.url;
  const [file] = positionals;
  if (!url || !values.version || !file) throw new Error(USAGE);
  const title = values.title ?? known?.title ?? url;
  const data = await readFile(file);
  if (values.out) {
    const rows = await rowsFromFile(data);
    const cs = codeSystemFromTable({ id: known?.name.toLowerCase() ?? 'imported', url, version: values.version, name: known?.name ?? 'Imported', title, source: file, rows });
    await writeFile(values.out, JSON.stringify(cs));
    console.log(`${rows.length} 个代码已写入 | codes written to ${values.out}`);
    return;
  }
  const query = new URLSearchParams({ url, version: values.version, title, name: known?.name ?? 'Imported' });
  const res = await fetch(`${values.server.replace(/\/$/, '')}/CodeSystem/$import-csv?${query}`, {
    method: 'POST',
    headers: { 'content-type': isXlsx(data) ? XLSX_TYPE : 'text/csv', accept: 'application/fhir+json' },
    body: data,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${text}`);
  console.log(`导入完成 | imported (${res.status}) ${res.headers.get('location') ?? ''}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
