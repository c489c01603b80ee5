import { randomUUID } from 'node:crypto';
import type { Group } from '@medplum/fhirtypes';
import { exportRequester } from '../../bulk/access.js';
import { jobs } from '../../bulk/jobs.js';
import { exportRunner } from '../../bulk/runner.js';
import type { ExportSpec } from '../../bulk/spec.js';
import { originOf, statusUrl } from '../../bulk/urls.js';
import { FhirError } from '../../errors/fhir-error.js';
import { toOperationOutcome } from '../../errors/outcome.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { exportSpec, kickoffPairs } from './params.js';

/**
 * Bulk Data 2.0 kick-off: `$export`, `Patient/$export`, `Group/{id}/$export`. The parameters are
 * checked, the job is recorded and queued, and the client gets 202 with the status URL in
 * Content-Location; the export itself runs in the background (bulk/runner.ts).
 */
export async function exportKickoff(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const level = levelOf(path, req);
  if (!req.prefer.respondAsync) throw new FhirError('export.respond-async-required');
  const pairs = kickoffPairs(req);
  const spec: ExportSpec = { ...exportSpec(level, pairs, req), requester: exportRequester(req.principal, ctx.config) };
  if (level === 'group') spec.group = { id: path.id as string, members: await groupMembers(ctx, q, path.id as string, req.baseUrl) };
  const id = randomUUID();
  const query = new URLSearchParams(req.query).toString();
  await jobs.insert(q, { id, request: `${req.baseUrl}/${req.path}${query ? `?${query}` : ''}`, spec, requiresAccessToken: ctx.config.auth === 'on' });
  exportRunner(ctx).enqueue(id, spec);
  const status = statusUrl(originOf(req.baseUrl), id);
  return {
    status: 202,
    headers: { 'Content-Location': status },
    body: toOperationOutcome([{ messageId: 'export.accepted', params: { status }, severity: 'information' }]),
  };
}

function levelOf(path: ParsedPath, req: FhirRequest): ExportSpec['level'] {
  if (!path.type) return 'system';
  if (path.type === 'Patient' && !path.id) return 'patient';
  if (path.type === 'Group' && path.id) return 'group';
  throw new FhirError('export.level-unsupported', { path: `/${req.path}` });
}

/** The Patient members of the group (active ones), as ids; references to other types or servers are not patients of this server. */
async function groupMembers(ctx: Context, q: Queryable, id: string, baseUrl: string): Promise<string[]> {
  const group = JSON.parse((await ctx.repo.read(q, 'Group', id)).json as string) as Group;
  const ids = new Set<string>();
  for (const member of group.member ?? []) {
    if (member.inactive) continue;
    const reference = member.entity?.reference ?? '';
    const local = reference.startsWith(`${baseUrl}/`) ? reference.slice(baseUrl.length + 1) : reference;
    const match = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(local);
    if (match) ids.add(match[1] as string);
  }
  return [...ids];
}
