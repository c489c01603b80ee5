import { fromEdgeIssue } from '../../errors/edge-issues.js';
import { FhirError, type IssueInput } from '../../errors/fhir-error.js';
import { toOperationOutcome } from '../../errors/outcome.js';
import type { Queryable } from '../../repository/db.js';
import type { Context, FhirRequest, FhirResponse, ParsedPath } from '../../router/types.js';
import { isObject } from '../../validation/json.js';
import { validateResource } from '../../validation/validate.js';
import { nationalCodesFor } from '../terminology/service.js';
import type { OperationEntry } from '../registry.js';

const MODES = ['create', 'update', 'delete'] as const;
type Mode = (typeof MODES)[number];

interface Input {
  resource?: Record<string, unknown>;
  mode?: string;
  profiles: string[];
}

/**
 * `[type]/$validate` and `[type]/[id]/$validate` (R4 Resource-validate): the resource — given as
 * the body, in a Parameters `resource`, or the stored one for an instance — checked against R4
 * and the CN profiles it declares or `profile` names, as a write in `mode` would check it.
 * Always 200 with an OperationOutcome of every issue (R4: the outcome says whether it is valid).
 */
async function validate(ctx: Context, q: Queryable, req: FhirRequest, path: ParsedPath): Promise<FhirResponse> {
  const type = path.type as string;
  const input = readInput(req);
  const mode = checkMode(input.mode);
  if (mode === 'delete') {
    if (!path.id) throw badInput('VAL-DELETE-ID', '校验删除需要指定资源 id（[type]/[id]/$validate）', 'Validating a delete needs a resource id ([type]/[id]/$validate)', 'mode');
    await ctx.repo.read(q, type, path.id);
    return outcome([]);
  }
  let resource = input.resource;
  if (!resource && path.id) resource = JSON.parse((await ctx.repo.read(q, type, path.id, true)).json as string) as Record<string, unknown>;
  if (!resource) throw new FhirError('body.empty');
  const issues: IssueInput[] = [];
  if (resource.resourceType !== type) {
    issues.push(edge('VAL-TYPE', `资源类型为 ${String(resource.resourceType)}，而请求针对 ${type}`, `The resource is a ${String(resource.resourceType)}, but the request is for ${type}`, 'resourceType'));
  } else if (mode === 'update' && (typeof resource.id !== 'string' || (path.id !== undefined && resource.id !== path.id))) {
    issues.push(edge('VAL-UPDATE-ID', `更新时资源 id 必须与请求一致${path.id ? `（${path.id}）` : ''}`, `An update needs the resource id to match the request${path.id ? ` (${path.id})` : ''}`, `${type}.id`));
  }
  if (mode === 'create') delete resource.id;
  issues.push(...validateResource(resource, { profiles: input.profiles, requireProfiles: ctx.config.requireProfiles, reportUnknownProfiles: true, codes: await nationalCodesFor(ctx, q) }));
  return outcome(issues);
}

function outcome(issues: IssueInput[]): FhirResponse {
  if (!issues.length) issues.push({ messageId: 'edge.issue', params: { zh: '校验通过，未发现问题', en: 'Validation passed: no issues found' }, severity: 'information', code: 'informational', rule: 'VAL-OK' });
  return { status: 200, body: toOperationOutcome(issues) };
}

/** The body as a Parameters (`resource`, `mode`, `profile`) or as the resource itself; `mode` and `profile` may also be query parameters. */
function readInput(req: FhirRequest): Input {
  const input: Input = { profiles: [] };
  const body = req.body;
  if (isObject(body) && body.resourceType === 'Parameters') {
    for (const parameter of Array.isArray(body.parameter) ? body.parameter : []) {
      if (!isObject(parameter)) continue;
      if (parameter.name === 'resource' && isObject(parameter.resource)) input.resource = parameter.resource;
      else if (parameter.name === 'mode' && typeof parameter.valueCode === 'string') input.mode = parameter.valueCode;
      else if (parameter.name === 'profile') {
        const url = parameter.valueUri ?? parameter.valueCanonical;
        if (typeof url === 'string') input.profiles.push(url);
      }
    }
  } else if (isObject(body)) {
    input.resource = body;
  } else if (body !== undefined) {
    throw new FhirError('body.not-object');
  }
  for (const [name, value] of req.query) {
    if (name === 'mode') input.mode = value;
    else if (name === 'profile') input.profiles.push(value);
  }
  return input;
}

function checkMode(mode: string | undefined): Mode | undefined {
  if (mode === undefined || (MODES as readonly string[]).includes(mode)) return mode as Mode | undefined;
  throw badInput('VAL-MODE', `mode 只能是 create、update 或 delete，而不是 "${mode}"`, `mode must be create, update or delete, not "${mode}"`, 'mode');
}

function edge(id: string, zh: string, en: string, expression: string): IssueInput {
  return fromEdgeIssue({ severity: 'error', code: 'invalid', id, zh, en, expression });
}

function badInput(id: string, zh: string, en: string, expression: string): FhirError {
  return FhirError.of([edge(id, zh, en, expression)], 400);
}

export const VALIDATE_OPERATIONS: readonly OperationEntry[] = [
  {
    code: 'validate',
    definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
    levels: ['type', 'instance'],
    affectsState: false,
    ownTransactions: false,
    handler: validate,
  },
];
