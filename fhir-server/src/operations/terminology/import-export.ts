import type { CodeSystem } from '@medplum/fhirtypes';
import { codeSystemFromTable, codeSystemToCsv, rowsFromFile } from '@qiao/terminology';
import type { Queryable } from '../../repository/db.js';
import { dispatch } from '../../router/router.js';
import { RawContent, type Context, type FhirRequest, type FhirResponse, type ParsedPath } from '../../router/types.js';
import { bad, OperationInput } from './params.js';

/**
 * `CodeSystem/$import-csv?url=…&version=…`: an official code file (CSV with a header line, or an
 * XLSX workbook as ICD-10 国家临床版 comes, its first sheet read) becomes one CodeSystem resource per url and
 * version, stored through the ordinary conditional update, so validation, the change log against
 * the previous version and the service refresh all apply.
 */
export async function importCsv(ctx: Context, q: Queryable, req: FhirRequest): Promise<FhirResponse> {
  const input = new OperationInput({ ...req, body: undefined });
  const url = input.require('url');
  const version = input.require('version');
  if (!req.rawBody?.length) throw bad('TX-IMPORT-EMPTY', 'body', '请求体应为 CSV 或 XLSX 文件', 'The request body must be the CSV or XLSX file');
  let rows;
  try {
    rows = await rowsFromFile(req.rawBody);
  } catch (error) {
    const [zh, en] = (error as Error).message.split(' | ');
    throw bad('TX-IMPORT-CSV', 'body', zh ?? '代码文件无法读取', en ?? (error as Error).message);
  }
  if (rows.length === 0) throw bad('TX-IMPORT-EMPTY', 'body', '文件中没有代码', 'The file holds no codes');
  const name = input.string('name') ?? 'ImportedCodeSystem';
  const cs = codeSystemFromTable({
    id: 'imported',
    url,
    version,
    name,
    title: input.string('title') ?? name,
    source: input.string('publisher') ?? 'imported',
    content: input.string('content') === 'fragment' ? 'fragment' : 'complete',
    rows,
  });
  delete cs.id;
  delete cs.valueSet;
  return dispatch(ctx, q, {
    method: 'PUT',
    path: 'CodeSystem',
    query: [['url', url], ['version', version]],
    body: cs,
    prefer: { return: 'OperationOutcome' },
    baseUrl: req.baseUrl,
    principal: req.principal,
  });
}

/** `CodeSystem/{id}/$export-csv`: the code table as CSV (code, display, en, parent, status), what import reads. */
export async function exportCsv(ctx: Context, q: Queryable, _req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const stored = await ctx.repo.read(q, 'CodeSystem', path.id as string);
  const cs = JSON.parse(stored.json ?? '{}') as CodeSystem;
  return { status: 200, body: new RawContent('text/csv; charset=utf-8', `\uFEFF${codeSystemToCsv(cs)}`) };
}
