import type { Resource } from '@medplum/fhirtypes';
import type { OutBundle } from '../router/bundle-builder.js';
import { parsePath } from '../router/path.js';
import { RawJson, type Context, type FhirRequest, type FhirResponse, type ParsedPath } from '../router/types.js';
import { verifyVersion, verifyVersions, type Verification } from './verify.js';

export const SIGNATURE_HEADER = 'X-Qiao-Signature';
export const SEARCH_SIGNATURES_HEADER = 'X-Qiao-Signatures';

/** Types whose reads and searches say whether their signatures verify. */
const SIGNED_TYPES: ReadonlySet<string> = new Set(['DiagnosticReport']);

/** Entries of one search page listed in the header at most: beyond, `$verify-signature` answers per report. */
export const SEARCH_HEADER_ENTRIES = 50;

/**
 * Reads and searches of a signed type answer with the verification in a header, so the stored
 * JSON is still sent as stored (docs/signatures.md):
 *
 *     X-Qiao-Signature: valid; signer="Practitioner/12"; provenance="Provenance/…"; signed="…/_history/2"; when="…"
 *     X-Qiao-Signature: invalid; reason="changed-since-signing"; …
 *     X-Qiao-Signature: unsigned
 *     X-Qiao-Signatures: DiagnosticReport/a=valid, DiagnosticReport/b=unsigned        (a search page's matches)
 */
export async function withSignatureHeader(ctx: Context, req: FhirRequest, result: FhirResponse): Promise<FhirResponse> {
  if ((req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') || result.status !== 200) return result;
  let path: ParsedPath;
  try {
    path = parsePath(req.path);
  } catch {
    return result;
  }
  if (!path.type || !SIGNED_TYPES.has(path.type)) return result;
  if (path.id && req.method !== 'POST' && (path.keyword === undefined || path.keyword === '_history')) return instanceHeader(ctx, result);
  // Entries cut down by `_summary`/`_elements` are not what was signed: no verdicts for those pages.
  const partial = req.query.some(([name]) => name === '_summary' || name === '_elements');
  if (!path.id && !partial && (path.keyword === undefined ? req.method === 'GET' : path.keyword === '_search')) return searchHeader(ctx, result);
  return result;
}

async function instanceHeader(ctx: Context, result: FhirResponse): Promise<FhirResponse> {
  const version = result.version;
  if (!version || version.deleted) return result;
  // The stored version, not the body: `_summary`/`_elements` may have cut the body down.
  const json = version.json ?? (result.body instanceof RawJson ? result.body.text : undefined);
  if (typeof json !== 'string') return result;
  const verification = await verifyVersion(ctx, ctx.db, JSON.parse(json) as Resource, { receipts: true });
  return { ...result, headers: { ...result.headers, [SIGNATURE_HEADER]: headerValue(verification) } };
}

async function searchHeader(ctx: Context, result: FhirResponse): Promise<FhirResponse> {
  const bundle = result.body as OutBundle | undefined;
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'searchset') return result;
  const matches: Resource[] = [];
  for (const entry of bundle.entry ?? []) {
    if (matches.length === SEARCH_HEADER_ENTRIES) break;
    if (entry.search?.mode !== 'match') continue;
    const resource = (entry.resource instanceof RawJson ? JSON.parse(entry.resource.text) : entry.resource) as Resource | undefined;
    if (resource?.id && SIGNED_TYPES.has(resource.resourceType)) matches.push(resource);
  }
  const verdicts = await verifyVersions(ctx, ctx.db, matches, { receipts: true });
  const listed = matches.map((r, i) => `${r.resourceType}/${r.id}=${verdicts[i]?.result ?? 'unsigned'}`);
  return listed.length ? { ...result, headers: { ...result.headers, [SEARCH_SIGNATURES_HEADER]: listed.join(', ') } } : result;
}

export function headerValue(v: Verification): string {
  const quoted = (name: string, value: string | undefined) => (value ? [`${name}=${JSON.stringify(value)}`] : []);
  return [v.result, ...quoted('reason', v.reason), ...quoted('signer', v.signer), ...quoted('provenance', v.provenance), ...quoted('signed', v.signed), ...quoted('when', v.when)].join('; ');
}
