import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { BACKENDS, useTestServer } from '../support/test-server.js';
import { call, firstIssue } from '../support/http.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ICD9 = 'urn:oid:2.16.156.10011.2.3.3.12';

/** An official-looking workbook: Chinese headers on the first sheet, codes as text cells, a second sheet to ignore. */
async function workbook(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('手术操作分类代码');
  sheet.addRow(['手术编码', '手术名称', '英文名称', '状态']);
  for (const row of rows) sheet.addRow(row);
  book.addWorksheet('说明').addRow(['编码', '名称']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const param = (body: any, name: string): any => body.parameter.find((p: { name: string }) => p.name === name);

describe.each(BACKENDS)('XLSX code files import on %s', (backend) => {
  const server = useTestServer(backend);

  it('CodeSystem/$import-csv reads an XLSX workbook with the CSV row parser', async () => {
    const url = 'https://hospital.example.cn/fhir/CodeSystem/operations-xlsx';
    const data = await workbook([
      ['01.0100', '颅骨穿刺术', 'Cranial puncture', ''],
      ['01.0200', '脑室引流管置换', 'Ventriculostomy tube replacement', '启用'],
      ['01.0900', '其他颅骨穿刺', '', '停用'],
    ]);
    const imported = await call(server.base, 'POST', `CodeSystem/$import-csv?url=${encodeURIComponent(url)}&version=2024`, data, { 'content-type': XLSX });
    expect(imported.status).toBe(201);

    const found = await call(server.base, 'GET', `CodeSystem/$lookup?system=${encodeURIComponent(url)}&code=01.0200`);
    expect(param(found.body, 'display').valueString).toBe('脑室引流管置换');
    const english = await call(server.base, 'GET', `CodeSystem/$lookup?system=${encodeURIComponent(url)}&code=01.0200&displayLanguage=en`);
    expect(param(english.body, 'display').valueString).toBe('Ventriculostomy tube replacement');
    const retired = await call(server.base, 'GET', `CodeSystem/$validate-code?url=${encodeURIComponent(url)}&code=01.0900`);
    expect(param(retired.body, 'inactive').valueBoolean).toBe(true);
    const unknown = await call(server.base, 'GET', `CodeSystem/$validate-code?url=${encodeURIComponent(url)}&code=编码`);
    expect(param(unknown.body, 'result').valueBoolean).toBe(false);
  });

  it('refuses a damaged workbook and one without a code column, bilingually', async () => {
    const url = encodeURIComponent('https://hospital.example.cn/fhir/CodeSystem/broken');
    const damaged = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 7)]);
    const bad = await call(server.base, 'POST', `CodeSystem/$import-csv?url=${url}&version=1`, damaged, { 'content-type': XLSX });
    expect(bad.status).toBe(400);
    expect(firstIssue(bad).details.text).toMatch(/XLSX 文件无法读取.* \| The XLSX file cannot be read/);

    const book = new ExcelJS.Workbook();
    book.addWorksheet('表').addRows([['序号', '备注'], ['1', '无代码列']]);
    const headless = await call(server.base, 'POST', `CodeSystem/$import-csv?url=${url}&version=1`, Buffer.from(await book.xlsx.writeBuffer()), { 'content-type': XLSX });
    expect(headless.status).toBe(400);
    expect(firstIssue(headless).details.text).toContain('表头需要代码列和名称列 | The header line needs a code and a display column');
  });

  it('the import command takes an XLSX file, into the server or to a CodeSystem file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qiao-tx-xlsx-'));
    try {
      const file = path.join(dir, '手术操作分类代码国家临床版.xlsx');
      await writeFile(file, await workbook([['38.5000', '下肢静脉曲张高位结扎和剥脱术', 'Ligation and stripping of varicose veins', '']]));
      const cli = new URL('../../../terminology/dist/import/cli.js', import.meta.url).pathname;
      const run = promisify(execFile);
      const { stdout } = await run(process.execPath, [cli, '--system', 'icd9cm3', '--version', `xlsx-${backend}`, '--server', server.base, file]);
      expect(stdout).toContain('imported');
      const found = await call(server.base, 'GET', `CodeSystem/$lookup?system=${encodeURIComponent(ICD9)}&code=38.5000`);
      expect(param(found.body, 'display').valueString).toBe('下肢静脉曲张高位结扎和剥脱术');

      const out = path.join(dir, 'cs.json');
      await run(process.execPath, [cli, '--system', 'icd9cm3', '--version', 'x', '--out', out, file]);
      const cs = JSON.parse(await readFile(out, 'utf8'));
      expect(cs.concept.map((c: { code: string }) => c.code)).toEqual(['38.5000']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
