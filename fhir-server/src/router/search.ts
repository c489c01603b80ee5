import { executeSearch } from '../search/execute.js';
import { assertSearchableType, parseSearch } from '../search/parse.js';
import { fullUrl, pageLinks, storedBody, type OutBundle } from './bundle-builder.js';
import type { Interaction } from './types.js';
import { informational } from '../errors/outcome.js';
import type { Resource } from '@medplum/fhirtypes';

export const search: Interaction = async (_ctx, q, req, path) => {
  if (path.type) assertSearchableType(path.type);
  const parsed = parseSearch(path.type, req.query, req.prefer.handling === 'lenient');
  const { matches, total } = await executeSearch(q, parsed);
  const bundle: OutBundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total !== undefined ? { total } : {}),
    // A count-only answer has no pages to link to.
    link: pageLinks(`${req.baseUrl}/${path.type ?? ''}`.replace(/\/$/, ''), req.query, parsed.offset, parsed.count, total, matches.length).slice(
      0,
      parsed.summaryCount ? 1 : undefined,
    ),
    entry: matches.map((m) => ({ fullUrl: fullUrl(req.baseUrl, m), resource: storedBody(m), search: { mode: 'match' } })),
  };
  if (parsed.ignored.length) {
    bundle.entry?.push({
      resource: informational(`已忽略不支持的参数 | Ignored unsupported parameters: ${parsed.ignored.join(', ')}`, 'not-supported'),
      search: { mode: 'outcome' },
    });
  }
  return { status: 200, body: bundle as unknown as Resource };
};
