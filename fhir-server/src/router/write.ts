import type { Resource } from '@medplum/fhirtypes';
import { fromEdgeIssue, type EdgeIssue } from '../errors/edge-issues.js';
import { FhirError, type IssueInput } from '../errors/fhir-error.js';
import { informational, toOperationOutcome } from '../errors/outcome.js';
import { applyPatch } from '../patch/index.js';
import { assertValid } from '../validation/validate.js';
import { applyWriteRules } from '../hooks/write-rules.js';
import { terminologyOnDelete, terminologyOnWrite } from '../operations/terminology/hook.js';
import { nationalCodesFor } from '../operations/terminology/service.js';
import { assertId, requireResource } from './body.js';
import { localiseReferences } from './references.js';
import { criteriaParams, describeCriteria, findMatches } from './conditional.js';
import { parseEtag, storedResponse } from './responses.js';
import type { FhirRequest, FhirResponse, Interaction } from './types.js';

function ifMatch(req: FhirRequest): string | undefined {
  if (req.ifMatch === undefined) return undefined;
  const version = parseEtag(req.ifMatch);
  if (!version) throw new FhirError('resource.if-match-invalid', { value: req.ifMatch });
  return version;
}

/**
 * A successful write's response carrying the warnings raised on the way, if any: the validator's
 * (an extensible binding, an unknown profile) and the terminology hook's (an unmapped local code).
 */
export function withWarnings(response: FhirResponse, validation: readonly IssueInput[], terminology: readonly EdgeIssue[]): FhirResponse {
  const warnings = [...validation, ...terminology.map(fromEdgeIssue)];
  return warnings.length ? { ...response, outcome: toOperationOutcome(warnings) } : response;
}

export const create: Interaction = async (ctx, q, req, path) => {
  const type = path.type as string;
  const resource = requireResource(req.body, type);
  // The server assigns ids on create; a client id in the body is ignored, as the spec says.
  delete resource.id;
  localiseReferences(resource, req.baseUrl);
  const checked = assertValid(resource, { requireProfiles: ctx.config.requireProfiles, codes: await nationalCodesFor(ctx, q) });
  const warnings = await terminologyOnWrite(ctx, q, resource);
  if (req.ifNoneExist !== undefined) {
    const params = criteriaParams(req.ifNoneExist);
    const matches = await findMatches(q, type, params);
    if (matches.length > 1) {
      throw new FhirError('conditional.multiple-matches', { criteria: describeCriteria(type, params), count: matches.length });
    }
    if (matches[0]) return storedResponse(200, matches[0], true);
  }
  // Rules may write resources of their own (a signature's Provenance): only for a create that happens.
  warnings.push(...(await applyWriteRules(ctx, q, req.principal, 'create', resource)));
  return withWarnings(storedResponse(201, await ctx.repo.create(q, resource), true), checked, warnings);
};

export const update: Interaction = async (ctx, q, req, path) => {
  const type = path.type as string;
  const resource = requireResource(req.body, type);
  let id = path.id;
  if (id === undefined) {
    const params = req.query;
    const matches = await findMatches(q, type, params);
    if (matches.length > 1) {
      throw new FhirError('conditional.multiple-matches', { criteria: describeCriteria(type, params), count: matches.length });
    }
    id = matches[0]?.id ?? resource.id ?? crypto.randomUUID();
    if (resource.id !== undefined && resource.id !== id) {
      throw new FhirError('conditional.id-mismatch', { matched: id, actual: resource.id }, `${type}.id`);
    }
    resource.id = id;
  } else {
    if (resource.id === undefined) throw new FhirError('resource.id-missing', {}, `${type}.id`);
    if (resource.id !== id) throw new FhirError('resource.id-mismatch', { actual: resource.id, expected: id }, `${type}.id`);
  }
  assertId(id);
  localiseReferences(resource, req.baseUrl);
  const checked = assertValid(resource, { requireProfiles: ctx.config.requireProfiles, codes: await nationalCodesFor(ctx, q) });
  const warnings = [...(await terminologyOnWrite(ctx, q, resource)), ...(await applyWriteRules(ctx, q, req.principal, 'update', resource))];
  const { stored, created } = await ctx.repo.update(q, resource, { ifMatch: ifMatch(req) });
  return withWarnings(storedResponse(created ? 201 : 200, stored, true), checked, warnings);
};

export const remove: Interaction = async (ctx, q, req, path) => {
  const type = path.type as string;
  let id = path.id;
  if (id === undefined) {
    const matches = await findMatches(q, type, req.query);
    if (matches.length > 1) {
      throw new FhirError('conditional.multiple-matches', { criteria: describeCriteria(type, req.query), count: matches.length });
    }
    id = matches[0]?.id;
    if (id === undefined) return { status: 200, body: informational('无匹配资源，未删除任何内容 | No resource matched; nothing was deleted', 'not-found') };
  }
  const deleted = await ctx.repo.delete(q, type, id, { ifMatch: ifMatch(req) });
  terminologyOnDelete(ctx, type);
  return {
    status: 200,
    body: informational(`已删除 ${type}/${id} | Deleted ${type}/${id}`),
    ...(deleted ? { version: deleted } : {}),
  };
};

export const patch: Interaction = async (ctx, q, req, path) => {
  const type = path.type as string;
  let id = path.id;
  if (id === undefined) {
    const matches = await findMatches(q, type, req.query);
    if (matches.length !== 1) {
      if (matches.length === 0) throw new FhirError('resource.not-found', { type, id: describeCriteria(type, req.query) });
      throw new FhirError('conditional.multiple-matches', { criteria: describeCriteria(type, req.query), count: matches.length });
    }
    id = (matches[0] as { id: string }).id;
  }
  const current = await ctx.repo.read(q, type, id, true);
  const expected = ifMatch(req);
  if (expected !== undefined && expected !== current.versionId) {
    throw new FhirError('resource.version-conflict', { current: current.versionId, expected });
  }
  if (req.body === undefined) throw new FhirError('body.empty');
  const previous = JSON.parse(current.json as string) as Resource;
  const patched = applyPatch(structuredClone(previous), req.body, req.contentType ?? '');
  localiseReferences(patched, req.baseUrl);
  const checked = assertValid(patched, { requireProfiles: ctx.config.requireProfiles, codes: await nationalCodesFor(ctx, q) });
  const warnings = [...(await terminologyOnWrite(ctx, q, patched)), ...(await applyWriteRules(ctx, q, req.principal, 'patch', patched, previous))];
  const { stored } = await ctx.repo.update(q, patched, { ifMatch: current.versionId, method: 'PATCH' });
  return withWarnings(storedResponse(200, stored, true), checked, warnings);
};
