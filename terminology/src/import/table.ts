import type { CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';
import { parse } from 'csv-parse/sync';

/** A row: code, Chinese display, English display, parent code, status (`active`/`retired`). */
export type CodeRow = [code: string, zh: string, en?: string, parent?: string, status?: string];

/**
 * A code table as the national standards print it: the compact form the shipped data files use
 * and that imports produce; `codeSystemFromTable` turns it into a FHIR CodeSystem.
 */
export interface CodeTable {
  /** Resource id, e.g. `gbt-2261-1`. */
  id: string;
  url: string;
  version?: string;
  name: string;
  title: string;
  titleEn?: string;
  /** The standard it comes from, e.g. `GB/T 2261.1-2003`. */
  source: string;
  /** `complete` when every code of the standard is here, `fragment` for a curated subset. */
  content?: 'complete' | 'fragment';
  /** How the data was checked, and disagreements with other lists (kept in the resource). */
  note?: string;
  /** Parent of a code without an explicit one: `tens` = code with its last digit 0 (GB/T 4658, 4761). */
  hierarchy?: 'tens';
  /** Other Chinese names a code is written with (e.g. 男 for 男性): accepted as its display. */
  aliases?: Record<string, string[]>;
  rows: CodeRow[];
}

export const VALUESET_BASE = 'https://qiao.health/fhir/ValueSet/';

function parentOf(table: CodeTable, row: CodeRow, codes: Set<string>): string | undefined {
  if (row[3]) return row[3];
  if (table.hierarchy !== 'tens') return undefined;
  const code = row[0];
  const candidate = `${code.slice(0, -1)}0`;
  return candidate !== code && codes.has(candidate) ? candidate : undefined;
}

export function codeSystemFromTable(table: CodeTable): CodeSystem {
  const codes = new Set(table.rows.map((r) => r[0]));
  const concept: CodeSystemConcept[] = table.rows.map((row) => {
    const [code, zh, en, , status] = row;
    const parent = parentOf(table, row, codes);
    const property = [
      ...(parent ? [{ code: 'parent', valueCode: parent }] : []),
      ...(status && status !== 'active' ? [{ code: 'status', valueCode: status }] : []),
    ];
    const designation = [
      ...(en ? [{ language: 'en', value: en }] : []),
      ...(table.aliases?.[code] ?? []).map((value) => ({ language: 'zh-CN', value })),
    ];
    return {
      code,
      display: zh,
      ...(designation.length ? { designation } : {}),
      ...(property.length ? { property } : {}),
    };
  });
  return {
    resourceType: 'CodeSystem',
    id: table.id,
    url: table.url,
    ...(table.version ? { version: table.version } : {}),
    name: table.name,
    title: table.title,
    status: 'active',
    language: 'zh-CN',
    publisher: table.source,
    description: [table.titleEn, table.note].filter(Boolean).join(' — ') || table.title,
    ...(table.url.startsWith('urn:oid:') ? { identifier: [{ system: 'urn:ietf:rfc:3986', value: table.url }] } : {}),
    caseSensitive: true,
    valueSet: `${VALUESET_BASE}${table.id}`,
    hierarchyMeaning: 'is-a',
    content: table.content ?? 'complete',
    count: concept.length,
    property: [
      { code: 'parent', uri: 'http://hl7.org/fhir/concept-properties#parent', type: 'code' },
      { code: 'status', uri: 'http://hl7.org/fhir/concept-properties#status', type: 'code' },
    ],
    concept,
  };
}

/** The all-codes value set a table's code system declares. */
export function allCodesValueSet(cs: CodeSystem): ValueSet {
  return {
    resourceType: 'ValueSet',
    id: cs.id as string,
    url: cs.valueSet as string,
    ...(cs.version ? { version: cs.version } : {}),
    name: cs.name as string,
    title: cs.title as string,
    status: 'active',
    compose: { include: [{ system: cs.url as string }] },
  };
}

const HEADERS: Record<number, readonly string[]> = {
  0: ['code', '代码', '编码', '疾病编码', '手术编码', '主要编码', 'loinc_num'],
  1: ['display', 'zh', '名称', '中文名称', '疾病名称', '手术名称', '诊断名称', '手术操作名称', 'component_zh', '中文名'],
  2: ['en', 'english', '英文名称', 'long_common_name'],
  3: ['parent', '上级', '上级编码', '父编码'],
  4: ['status', '状态'],
};

const RETIRED = new Set(['retired', 'inactive', 'deprecated', '停用', '作废', '0', 'false', 'n']);

/**
 * Rows of an official code file as CSV with a header line. Columns are found by their header in
 * Chinese or English (代码/编码/code, 名称/display, 英文名称/en, 上级/parent, 状态/status).
 */
export function rowsFromCsv(text: string): CodeRow[] {
  return rowsFromRecords(parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][]);
}

/** A ZIP (an XLSX workbook) starts with `PK\x03\x04`; anything else is read as UTF-8 CSV. */
export function isXlsx(data: Uint8Array): boolean {
  return data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;
}

/**
 * Rows of the first worksheet of an XLSX workbook, read as cell text (so codes must be text
 * cells, as official files keep them: a numeric cell `01` would read `1`).
 */
export async function rowsFromXlsx(data: Uint8Array): Promise<CodeRow[]> {
  const declared = unzippedSize(data);
  if (declared === undefined || declared > MAX_XLSX_UNZIPPED) {
    throw new Error(
      declared === undefined
        ? 'XLSX 文件无法读取（不是有效的 ZIP） | The XLSX file cannot be read (not a valid ZIP)'
        : `XLSX 解压后过大（${declared} 字节，上限 ${MAX_XLSX_UNZIPPED}）：请拆分或另存为 CSV | The XLSX unzips to too much (${declared} bytes, limit ${MAX_XLSX_UNZIPPED}): split it or save it as CSV`,
    );
  }
  // Loaded on first use: the server and the CSV path never need it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(data) as unknown as ArrayBuffer);
  } catch (error) {
    throw new Error(`XLSX 文件无法读取（${(error as Error).message}） | The XLSX file cannot be read (${(error as Error).message})`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const records: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let i = 1; i <= row.cellCount; i++) cells.push(row.getCell(i).text.trim());
    if (cells.some(Boolean)) records.push(cells);
  });
  return rowsFromRecords(records);
}

/** A workbook is read whole into memory: more than this unzipped is refused before reading. */
const MAX_XLSX_UNZIPPED = 256 * 1024 * 1024;

/**
 * The total uncompressed size a ZIP declares in its central directory, undefined when there is
 * none or it uses ZIP64. A small upload must not inflate to gigabytes; a forged directory is not
 * caught here, so the server's body limit stays the first bound.
 */
function unzippedSize(data: Uint8Array): number | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // End of central directory: 22 bytes plus a comment of at most 64 KiB, at the end.
  for (let end = data.length - 22; end >= Math.max(0, data.length - 22 - 0xffff); end--) {
    if (view.getUint32(end, true) !== 0x06054b50) continue;
    const count = view.getUint16(end + 10, true);
    let at = view.getUint32(end + 16, true);
    let total = 0;
    for (let i = 0; i < count; i++) {
      if (at + 46 > data.length || view.getUint32(at, true) !== 0x02014b50) return undefined;
      const size = view.getUint32(at + 24, true);
      if (size === 0xffffffff) return undefined;
      total += size;
      at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    }
    return total;
  }
  return undefined;
}

/** An official code file as it comes, CSV or XLSX (told apart by content, not by name). */
export function rowsFromFile(data: Uint8Array): Promise<CodeRow[]> {
  return isXlsx(data) ? rowsFromXlsx(data) : Promise.resolve(rowsFromCsv(Buffer.from(data).toString('utf8')));
}

/** The one row parser behind CSV and XLSX: a header line, then one code per record. */
function rowsFromRecords(records: string[][]): CodeRow[] {
  const [header, ...body] = records;
  if (!header) return [];
  const lower = header.map((h) => h.toLowerCase());
  const column = (slot: number) => lower.findIndex((h) => (HEADERS[slot] ?? []).includes(h));
  const [code, zh, en, parent, status] = [0, 1, 2, 3, 4].map(column);
  // An English-only file (LOINC's Loinc.csv) shows its English name.
  const display = zh !== undefined && zh >= 0 ? zh : en;
  if (code === undefined || code < 0 || display === undefined || display < 0) {
    throw new Error(`表头需要代码列和名称列 | The header line needs a code and a display column (found: ${header.join(', ')})`);
  }
  const cell = (record: string[], i: number | undefined) => (i !== undefined && i >= 0 ? record[i] ?? '' : '');
  return body
    .filter((r) => cell(r, code))
    .map((r): CodeRow => {
      const s = cell(r, status).toLowerCase();
      return [cell(r, code), cell(r, display), display === en ? undefined : cell(r, en) || undefined, cell(r, parent) || undefined, s && RETIRED.has(s) ? 'retired' : undefined];
    });
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Export of a code system as CSV (code, display, en, parent, status): what import reads back. */
export function codeSystemToCsv(cs: CodeSystem): string {
  const lines = ['code,display,en,parent,status'];
  const visit = (list: CodeSystemConcept[] | undefined, parent: string | undefined) => {
    for (const c of list ?? []) {
      const en = c.designation?.find((d) => d.language?.startsWith('en'))?.value ?? '';
      const p = c.property?.find((x) => x.code === 'parent')?.valueCode ?? parent ?? '';
      const status = c.property?.find((x) => x.code === 'status')?.valueCode ?? (c.property?.some((x) => x.code === 'inactive' && x.valueBoolean) ? 'retired' : 'active');
      lines.push([c.code ?? '', c.display ?? '', en, p, status].map(csvCell).join(','));
      visit(c.concept, c.code);
    }
  };
  visit(cs.concept, undefined);
  return `${lines.join('\n')}\n`;
}
