import type { BundleLink } from '@medplum/fhirtypes';
import type { StoredVersion } from '../repository/stored.js';
import { RawJson } from './types.js';

/** A Bundle whose entry resources may be stored JSON text, serialised without re-parsing. */
export interface OutBundle {
  resourceType: 'Bundle';
  id?: string;
  meta?: { lastUpdated: string };
  type: 'searchset' | 'history' | 'batch-response' | 'transaction-response';
  total?: number;
  link?: BundleLink[];
  entry?: OutEntry[];
}

export interface OutEntry {
  fullUrl?: string;
  resource?: unknown;
  search?: { mode: 'match' | 'include' | 'outcome' };
  request?: { method: string; url: string };
  response?: { status: string; location?: string; etag?: string; lastModified?: string; outcome?: unknown };
}

/** `{ [key]: items }`, or nothing when there are none: FHIR JSON never holds an empty array. */
export function nonEmpty<K extends string, T>(key: K, items: T[]): { [P in K]?: T[] } {
  return (items.length ? { [key]: items } : {}) as { [P in K]?: T[] };
}

export function fullUrl(baseUrl: string, stored: { resourceType: string; id: string }): string {
  return `${baseUrl}/${stored.resourceType}/${stored.id}`;
}

export function storedBody(stored: StoredVersion): RawJson | undefined {
  return stored.json === null ? undefined : new RawJson(stored.json);
}

/** Self and next/previous links for offset paging; `extra` keeps parameters the page must carry (e.g. a history bound). */
export function pageLinks(
  url: string,
  params: [string, string][],
  offset: number,
  count: number,
  total: number | undefined,
  returned: number,
): BundleLink[] {
  const base = params.filter(([k]) => k !== '_offset' && k !== '_count');
  const link = (relation: string, off: number): BundleLink => {
    const search = new URLSearchParams([...base, ['_count', String(count)], ['_offset', String(off)]]);
    return { relation, url: `${url}?${search.toString()}` };
  };
  const links = [link('self', offset)];
  const more = total !== undefined ? offset + returned < total : returned === count && count > 0;
  if (more) links.push(link('next', offset + count));
  if (offset > 0) links.push(link('previous', Math.max(0, offset - count)));
  return links;
}
