/**
 * Parameters of the workflow operations: from a Parameters body (POST) or the query string (GET),
 * each refusal naming the parameter. Shared by the critical-value and reporting operations.
 */
import type { Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { FhirError } from '../../errors/fhir-error.js';
import type { FhirRequest } from '../../router/types.js';
import type { PeriodUnit } from '../../workflows/critical-values/percentiles.js';

const where = (name: string): string => `Parameters.parameter.where(name = '${name}')`;

export function bodyParameter(req: FhirRequest, name: string): ParametersParameter | undefined {
  const body = req.body as Resource | undefined;
  if (body === undefined) return undefined;
  if (body.resourceType !== 'Parameters') throw new FhirError('critical.parameter-invalid', { name: 'body', zh: '请求体须为 Parameters 资源', en: 'the body must be a Parameters resource' }, 'resourceType');
  return (body as Parameters).parameter?.find((p) => p.name === name);
}

/** A text parameter: `valueString` (or a ContactPoint's value) in the body, else the query string. */
export function textParameter(req: FhirRequest, name: string): string | undefined {
  const p = bodyParameter(req, name);
  const value = p ? (p.valueString ?? p.valueContactPoint?.value ?? p.valueCode ?? p.valueDateTime) : req.query.find(([n]) => n === name)?.[1];
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '' || value.length > 200)) {
    throw new FhirError('critical.parameter-invalid', { name, zh: '须为 1–200 个字符的文本', en: 'must be text of 1-200 characters' }, where(name));
  }
  return value?.trim();
}

export function referenceParameter(req: FhirRequest, name: string, type: string): string | undefined {
  const p = bodyParameter(req, name);
  const value = p ? p.valueReference?.reference : req.query.find(([n]) => n === name)?.[1];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !new RegExp(`^${type}/[A-Za-z0-9\\-.]{1,64}$`).test(value)) {
    throw new FhirError('critical.parameter-invalid', { name, zh: `须为 ${type}/[id] 形式的引用`, en: `must be a reference ${type}/[id]` }, where(name));
  }
  return value;
}

/** A date or dateTime bound of a report (`from`, `to`), as given. */
export function dateParameter(req: FhirRequest, name: string): string | undefined {
  const value = textParameter(req, name);
  if (value === undefined) return undefined;
  if (!/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(value) || Number.isNaN(Date.parse(value.length === 4 ? `${value}-01-01` : value))) {
    throw new FhirError('critical.parameter-invalid', { name, zh: '须为日期或带时区的日期时间（如 2026-12-01 或 2026-12-01T08:00:00+08:00）', en: 'must be a date or a dateTime with zone (e.g. 2026-12-01 or 2026-12-01T08:00:00+08:00)' }, where(name));
  }
  return value;
}

export function periodParameter(req: FhirRequest): PeriodUnit {
  const value = textParameter(req, 'period') ?? 'month';
  if (!['day', 'month', 'year', 'all'].includes(value)) {
    throw new FhirError('critical.parameter-invalid', { name: 'period', zh: '须为 day、month、year 或 all', en: 'must be day, month, year or all' }, where('period'));
  }
  return value as PeriodUnit;
}

/** A Spread as parameter parts (`<prefix>-median`, `-p90`, `-max`), rounded to three decimals. */
export function spreadParts(prefix: string, spread: { median?: number; p90?: number; max?: number }): ParametersParameter[] {
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return (['median', 'p90', 'max'] as const).flatMap((k) => (spread[k] === undefined ? [] : [{ name: `${prefix}-${k}`, valueDecimal: round(spread[k] as number) }]));
}
