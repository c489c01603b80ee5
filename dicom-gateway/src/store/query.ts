import type { Bilingual, SqlQueryable } from '../ports.js';
import { tagOf } from '../dicom/dictionary.js';
import type { DicomJson } from '../dicom/json.js';
import { isPathSafeUid } from '../dicom/uid.js';
import { isDicomDate, normalizedTime } from '../dicom/datetime.js';

export type QidoLevel = 'study' | 'series' | 'instance';

/**
 * A query as QIDO-RS and C-FIND both express it: matching keys by keyword or tag with DICOM string
 * values (UID lists with `\` or `,`, `*`/`?` wildcards, `a-b` date and time ranges; a person name
 * in its PN string form), plus the return keys wanted beyond each level's defaults.
 */
export interface QidoQuery {
  match: Record<string, string>;
  /** Person names match word prefixes, case-insensitively, in any group. */
  fuzzy?: boolean;
  /** Extra attributes to return, by keyword or tag, or every attribute of a representative instance. */
  includeFields?: string[] | 'all';
  limit?: number;
  offset?: number;
}

export interface QueryOptions {
  /** DICOMweb base for RetrieveURL (00081190); left out without it. */
  dicomwebBase?: string;
}

/** A matching key or value the gateway cannot use: a 400 for QIDO-RS, a failure status for C-FIND. */
export class QueryError extends Error {
  constructor(
    readonly reason: Bilingual,
    readonly key: string,
  ) {
    super(reason.en);
  }
}

type Kind = 'uid' | 'date' | 'time' | 'string' | 'int' | 'pn' | 'modalities';
interface Key {
  level: 'patient' | 'study' | 'series' | 'instance';
  column: string;
  kind: Kind;
}

/** The matching keys the index has columns for (PS3.18 Table 10.6.1-5 and the C-FIND unique keys). */
const KEYS: Record<string, Key> = {
  '00100010': { level: 'patient', column: 'p.name', kind: 'pn' },
  '00100020': { level: 'patient', column: 'p.patient_id', kind: 'string' },
  '00100021': { level: 'patient', column: 'p.issuer', kind: 'string' },
  '0020000D': { level: 'study', column: 'st.study_uid', kind: 'uid' },
  '00080020': { level: 'study', column: 'st.study_date', kind: 'date' },
  '00080030': { level: 'study', column: 'st.study_time', kind: 'time' },
  '00080050': { level: 'study', column: 'st.accession', kind: 'string' },
  '00080061': { level: 'study', column: 'st.modalities', kind: 'modalities' },
  '00080090': { level: 'study', column: 'st.referring', kind: 'pn' },
  '00200010': { level: 'study', column: 'st.study_id', kind: 'string' },
  '0020000E': { level: 'series', column: 'se.series_uid', kind: 'uid' },
  '00080060': { level: 'series', column: 'se.modality', kind: 'string' },
  '00200011': { level: 'series', column: 'se.series_number', kind: 'int' },
  '00400244': { level: 'series', column: 'se.pps_start_date', kind: 'date' },
  '00400245': { level: 'series', column: 'se.pps_start_time', kind: 'time' },
  '00080018': { level: 'instance', column: 'i.sop_instance_uid', kind: 'uid' },
  '00080016': { level: 'instance', column: 'i.sop_class_uid', kind: 'uid' },
  '00200013': { level: 'instance', column: 'i.instance_number', kind: 'int' },
};

const LEVELS_OF: Record<QidoLevel, Key['level'][]> = {
  study: ['patient', 'study'],
  series: ['patient', 'study', 'series'],
  instance: ['patient', 'study', 'series', 'instance'],
};

const MAX_LIMIT = 1000;

/** A time bound in the current form only: the index holds no other. */
const isTime = (value: string): boolean => normalizedTime(value) === value;

class Sql {
  readonly where: string[] = [];
  readonly params: unknown[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

/** LIKE pattern from DICOM wildcards, with LIKE's own metacharacters escaped. */
function likePattern(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_');
}

function hasWildcard(value: string): boolean {
  return /[*?]/.test(value);
}

function badValue(keyword: string, value: string, what: Bilingual): QueryError {
  return new QueryError({ zh: `匹配键 ${keyword} 的值 "${value}" 无效：${what.zh}`, en: `matching key ${keyword} value "${value}" is not valid: ${what.en}` }, keyword);
}

function range(keyword: string, value: string, valid: (bound: string) => boolean, what: Bilingual): [string | undefined, string | undefined] {
  const parts = value.includes('-') ? value.split('-') : [value, value];
  if (parts.length !== 2) throw badValue(keyword, value, what);
  const [from, to] = parts.map((p) => p.trim() || undefined) as [string | undefined, string | undefined];
  if ((!from && !to) || (from && !valid(from)) || (to && !valid(to))) throw badValue(keyword, value, what);
  if (from && to && from > to) throw badValue(keyword, value, { zh: '范围起点晚于终点', en: 'range starts after it ends' });
  return [from, to];
}

function addCondition(sql: Sql, keyword: string, key: Key, raw: string, fuzzy: boolean): void {
  // No matching key's VR holds control characters (ESC only for ISO 2022 escapes, which the C-FIND
  // identifier has already followed); the database refuses NUL in text outright.
  if (/[\x00-\x1f\x7f]/.test(raw)) {
    throw new QueryError({ zh: `匹配键 ${keyword} 的值含有控制字符（如 NUL），不是有效的匹配值`, en: `matching key ${keyword} value holds a control character (such as NUL) and is not a valid matching value` }, keyword);
  }
  const value = raw.trim();
  if (value === '' || value === '*') return; // universal matching
  const col = key.column;
  switch (key.kind) {
    case 'uid': {
      const uids = value.split(/[\\,]/).map((u) => u.trim()).filter(Boolean);
      if (uids.some((u) => !isPathSafeUid(u))) throw badValue(keyword, value, { zh: 'UID 只能由数字和点组成，至多 64 个字符', en: 'a UID is digits and dots, at most 64 characters' });
      sql.where.push(`${col} = ANY(${sql.param(uids)}::text[])`);
      return;
    }
    case 'date':
    case 'time': {
      const [valid, what] = key.kind === 'date' ? [isDicomDate, { zh: '日期应为日历上存在的 YYYYMMDD 或 YYYYMMDD-YYYYMMDD', en: 'a date is a YYYYMMDD the calendar has, or a YYYYMMDD-YYYYMMDD range' }] : [isTime, { zh: '时间应为 HHMMSS[.ffffff]（时 00–23，分 00–59，秒 00–60）或其范围', en: 'a time is HHMMSS[.ffffff] (hours 00–23, minutes 00–59, seconds 00–60) or a range of them' }];
      const [from, to] = range(keyword, value, valid, what);
      if (!value.includes('-') && key.kind === 'date') {
        sql.where.push(`${col} = ${sql.param(from)}`);
        return;
      }
      // Times compare as text; a bound's missing precision means "the whole hour/minute".
      if (from) sql.where.push(`${col} >= ${sql.param(from)}`);
      if (to) sql.where.push(`${col} <= ${sql.param(key.kind === 'time' ? `${to}\uffff` : to)}`);
      return;
    }
    case 'int': {
      if (!/^[+-]?\d{1,9}$/.test(value)) throw badValue(keyword, value, { zh: '应为整数', en: 'an integer is expected' });
      sql.where.push(`${col} = ${sql.param(Number(value))}`);
      return;
    }
    case 'modalities': {
      const list = value.split(/[\\,]/).map((m) => m.trim()).filter(Boolean);
      sql.where.push(`${col} && ${sql.param(list)}::text[]`);
      return;
    }
    case 'string': {
      if (hasWildcard(value)) sql.where.push(`${col} LIKE ${sql.param(likePattern(value))}`);
      else sql.where.push(`${col} = ${sql.param(value)}`);
      return;
    }
    case 'pn': {
      const name = value.split('=').find((g) => g.trim() !== '')?.replace(/\^+$/, '').toUpperCase() ?? '';
      if (!name) return;
      if (fuzzy) {
        // Every word given must begin some word of the name, in any group (Alphabetic, Ideographic, Phonetic).
        for (const word of name.split(/[\^\s,]+/).filter(Boolean)) {
          sql.where.push(`EXISTS (SELECT 1 FROM unnest(${col}_words) w WHERE w LIKE ${sql.param(`${likePattern(word.replace(/[*?]/g, ''))}%`)})`);
        }
        return;
      }
      sql.where.push(`EXISTS (SELECT 1 FROM unnest(${col}_groups) g WHERE g LIKE ${sql.param(likePattern(name))})`);
      return;
    }
  }
}

export interface ResolvedKey {
  tag: string;
  keyword: string;
  value: string;
}

/** Keys of the query that the index matches at this level, and those it ignores (for a Warning header). */
export function resolveKeys(query: QidoQuery, level: QidoLevel): { used: (ResolvedKey & { key: Key })[]; ignored: string[] } {
  const used: (ResolvedKey & { key: Key })[] = [];
  const ignored: string[] = [];
  for (const [keyword, value] of Object.entries(query.match)) {
    const tag = tagOf(keyword);
    const key = tag ? KEYS[tag] : undefined;
    if (!tag || !key || !LEVELS_OF[level].includes(key.level)) {
      if (value.trim() !== '' && value.trim() !== '*') ignored.push(keyword);
      continue;
    }
    used.push({ tag, keyword, value, key });
  }
  return { used, ignored };
}

function pagination(sql: Sql, query: QidoQuery): string {
  const limit = Math.min(query.limit ?? MAX_LIMIT, MAX_LIMIT);
  const offset = query.offset ?? 0;
  return ` LIMIT ${sql.param(limit)} OFFSET ${sql.param(offset)}`;
}

function buildWhere(query: QidoQuery, level: QidoLevel): Sql {
  const sql = new Sql();
  for (const { keyword, value, key } of resolveKeys(query, level).used) addCondition(sql, keyword, key, value, query.fuzzy === true);
  return sql;
}

function whereClause(sql: Sql): string {
  return sql.where.length ? ` WHERE ${sql.where.join(' AND ')}` : '';
}

const FROM_STUDY = 'dicom_study st JOIN dicom_patient p ON p.patient_key = st.patient_key';

export async function findStudies(q: SqlQueryable, query: QidoQuery, options: QueryOptions = {}): Promise<DicomJson[]> {
  const sql = buildWhere(query, 'study');
  const rows = await q.query<{ study_uid: string; attrs: string; modalities: string[]; series_count: number; instance_count: number }>(
    `SELECT st.study_uid, st.attrs, st.modalities, st.series_count, st.instance_count FROM ${FROM_STUDY}${whereClause(sql)}
     ORDER BY st.study_date DESC NULLS LAST, st.study_time DESC NULLS LAST, st.study_uid${pagination(sql, query)}`,
    sql.params,
  );
  const results = rows.map((r) => {
    const json: DicomJson = JSON.parse(r.attrs);
    json['00080061'] = r.modalities.length ? { vr: 'CS', Value: r.modalities } : { vr: 'CS' };
    json['00201206'] = { vr: 'IS', Value: [Number(r.series_count)] };
    json['00201208'] = { vr: 'IS', Value: [Number(r.instance_count)] };
    if (options.dicomwebBase) json['00081190'] = { vr: 'UR', Value: [`${options.dicomwebBase}/studies/${r.study_uid}`] };
    return json;
  });
  await includeFields(q, query, results, rows.map((r) => ({ column: 'study_uid', value: r.study_uid })));
  return results.map(sortTags);
}

export async function findSeries(q: SqlQueryable, query: QidoQuery, options: QueryOptions = {}): Promise<DicomJson[]> {
  const sql = buildWhere(query, 'series');
  const rows = await q.query<{ study_uid: string; series_uid: string; attrs: string; study_attrs: string; instance_count: number }>(
    `SELECT se.study_uid, se.series_uid, se.attrs, st.attrs AS study_attrs, se.instance_count
     FROM dicom_series se JOIN ${FROM_STUDY} ON st.study_uid = se.study_uid${whereClause(sql)}
     ORDER BY se.study_uid, se.series_number NULLS LAST, se.series_uid${pagination(sql, query)}`,
    sql.params,
  );
  const results = rows.map((r) => {
    const json: DicomJson = { ...studyContext(r.study_attrs), ...JSON.parse(r.attrs) };
    json['00201209'] = { vr: 'IS', Value: [Number(r.instance_count)] };
    if (options.dicomwebBase) json['00081190'] = { vr: 'UR', Value: [`${options.dicomwebBase}/studies/${r.study_uid}/series/${r.series_uid}`] };
    return json;
  });
  await includeFields(q, query, results, rows.map((r) => ({ column: 'series_uid', value: r.series_uid })));
  return results.map(sortTags);
}

export async function findInstances(q: SqlQueryable, query: QidoQuery, options: QueryOptions = {}): Promise<DicomJson[]> {
  const sql = buildWhere(query, 'instance');
  const rows = await q.query<{ study_uid: string; series_uid: string; sop_instance_uid: string; attrs: string; series_attrs: string; study_attrs: string }>(
    `SELECT i.study_uid, i.series_uid, i.sop_instance_uid, i.attrs, se.attrs AS series_attrs, st.attrs AS study_attrs
     FROM dicom_instance i JOIN dicom_series se ON se.series_uid = i.series_uid JOIN ${FROM_STUDY} ON st.study_uid = i.study_uid${whereClause(sql)}
     ORDER BY i.study_uid, i.series_uid, i.instance_number NULLS LAST, i.sop_instance_uid${pagination(sql, query)}`,
    sql.params,
  );
  const results = rows.map((r) => {
    const json: DicomJson = { ...studyContext(r.study_attrs), ...seriesContext(r.series_attrs), ...JSON.parse(r.attrs) };
    if (options.dicomwebBase) json['00081190'] = { vr: 'UR', Value: [`${options.dicomwebBase}/studies/${r.study_uid}/series/${r.series_uid}/instances/${r.sop_instance_uid}`] };
    return json;
  });
  await includeFields(q, query, results, rows.map((r) => ({ column: 'sop_instance_uid', value: r.sop_instance_uid })));
  return results.map(sortTags);
}

/** Below study level the study's attributes come along, as PS3.18 asks when the study is not fixed by the path. */
function studyContext(studyAttrs: string): DicomJson {
  return JSON.parse(studyAttrs) as DicomJson;
}

function seriesContext(seriesAttrs: string): DicomJson {
  const series = JSON.parse(seriesAttrs) as DicomJson;
  const out: DicomJson = {};
  for (const tag of ['0020000E', '00080060', '00200011']) if (series[tag]) out[tag] = series[tag];
  return out;
}

/** `includefield`: attributes beyond the level's defaults, taken from the first instance of each result. */
async function includeFields(q: SqlQueryable, query: QidoQuery, results: DicomJson[], scopes: { column: string; value: string }[]): Promise<void> {
  const wanted = query.includeFields;
  if (!wanted || (Array.isArray(wanted) && wanted.length === 0) || results.length === 0) return;
  const tags = wanted === 'all' ? undefined : wanted.map((f) => {
    const tag = tagOf(f);
    if (!tag) throw new QueryError({ zh: `includefield 中的 "${f}" 不是已知的属性关键字或标签`, en: `includefield "${f}" is not a known attribute keyword or tag` }, 'includefield');
    return tag;
  });
  if (tags && tags.every((t) => results.every((r) => r[t]))) return;
  const column = scopes[0]?.column as string;
  const rows = await q.query<{ scope: string; metadata: string }>(
    `SELECT DISTINCT ON (${column}) ${column} AS scope, metadata FROM dicom_instance WHERE ${column} = ANY($1::text[])
     ORDER BY ${column}, instance_number NULLS LAST, sop_instance_uid`,
    [scopes.map((s) => s.value)],
  );
  const byScope = new Map(rows.map((r) => [r.scope, r.metadata]));
  results.forEach((result, i) => {
    const text = byScope.get(scopes[i]?.value ?? '');
    if (!text) return;
    const metadata = JSON.parse(text) as DicomJson;
    for (const tag of tags ?? Object.keys(metadata)) {
      const element = metadata[tag];
      // Bulk data is for retrieval, not query answers.
      if (element && !result[tag] && !element.BulkDataURI) result[tag] = element;
    }
  });
}

function sortTags(json: DicomJson): DicomJson {
  const out: DicomJson = {};
  for (const tag of Object.keys(json).sort()) out[tag] = json[tag] as DicomJson[string];
  return out;
}
