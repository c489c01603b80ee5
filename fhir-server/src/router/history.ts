import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import { readHistory } from '../repository/history.js';
import { parseDateRange } from '../search/date-range.js';
import { DEFAULT_COUNT, MAX_COUNT } from '../search/parse.js';
import { fullUrl, nonEmpty, pageLinks, storedBody, type OutBundle } from './bundle-builder.js';
import type { Interaction } from './types.js';
import { assertSearchableType } from '../search/parse.js';

/** Instance, type and system history: `_since`, `_at`, `_count`, paged under a fixed upper bound (`_until`). */
export const history: Interaction = async (ctx, q, req, path) => {
  if (path.type) assertSearchableType(path.type);
  if (path.id) await existsOrDeleted(ctx, q, path.type as string, path.id);
  const get = (name: string) => req.query.find(([k]) => k === name)?.[1];
  const instant = (name: string) => {
    const value = get(name);
    if (value === undefined) return undefined;
    const range = parseDateRange(value);
    if (!range) throw new FhirError('history.param-invalid', { param: name, value });
    return range;
  };
  const integer = (name: string, fallback: number) => {
    const value = get(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new FhirError('history.param-invalid', { param: name, value });
    return n;
  };
  const untilParam = get('_until');
  const until = untilParam !== undefined ? Date.parse(untilParam) : Date.now();
  if (Number.isNaN(until)) throw new FhirError('history.param-invalid', { param: '_until', value: untilParam ?? '' });
  const count = Math.min(integer('_count', DEFAULT_COUNT), MAX_COUNT);
  const offset = integer('_offset', 0);
  const since = instant('_since');
  const at = instant('_at');
  const page = await readHistory(q, {
    ...(path.type ? { resourceType: path.type } : {}),
    ...(path.id ? { id: path.id } : {}),
    ...(since ? { since: since.start } : {}),
    ...(at ? { at } : {}),
    until,
    count,
    offset,
  });
  const selfUrl = [req.baseUrl, path.type, path.id, '_history'].filter(Boolean).join('/');
  const params = req.query.filter(([k]) => k !== '_until');
  params.push(['_until', new Date(until).toISOString()]);
  const bundle: OutBundle = {
    resourceType: 'Bundle',
    type: 'history',
    total: page.total,
    link: pageLinks(selfUrl, params, offset, count, page.total, page.entries.length),
    ...nonEmpty(
      'entry',
      page.entries.map((v) => ({
        fullUrl: fullUrl(req.baseUrl, v),
        ...(v.json !== null ? { resource: storedBody(v) } : {}),
        request: { method: v.method ?? 'PUT', url: v.method === 'POST' ? v.resourceType : `${v.resourceType}/${v.id}` },
        response: { status: v.deleted ? '204' : v.versionId === '1' ? '201' : '200', etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated },
      })),
    ),
  };
  return { status: 200, body: bundle as unknown as Resource };
};

async function existsOrDeleted(ctx: Parameters<Interaction>[0], q: Parameters<Interaction>[1], type: string, id: string): Promise<void> {
  try {
    await ctx.repo.read(q, type, id);
  } catch (error) {
    // A deleted resource still has a history to show.
    if (!(error instanceof FhirError) || error.status !== 410) throw error;
  }
}
