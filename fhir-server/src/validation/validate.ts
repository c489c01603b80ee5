import { isKnownResourceType, loadR4 } from '../definitions/r4.js';
import { FhirError, type IssueInput } from '../errors/fhir-error.js';
import { elementIssues, type ElementCheckOptions } from './elements.js';
import { isObject } from './json.js';
import { profileIssues, type ProfileOptions } from './profiles.js';

export type ValidateOptions = ElementCheckOptions & ProfileOptions;

/**
 * Every problem of a resource against the R4 base definitions: structure, primitive formats and
 * invariants, required code bindings, reference format and target types, nested resources;
 * then against the CN profiles it declares in `meta.profile` (or is asked about), and whether it
 * declares one where the server requires it. An empty array means valid.
 */
export function validateResource(resource: unknown, options: ValidateOptions = {}): IssueInput[] {
  loadR4();
  if (!isObject(resource)) return [{ messageId: 'body.not-object' }];
  const type = resource.resourceType;
  if (typeof type !== 'string') return [{ messageId: 'resource.missing-type' }];
  if (!isKnownResourceType(type)) return [{ messageId: 'resource.type-unknown', params: { type } }];
  const issues = elementIssues(resource, type, options);
  issues.push(...profileIssues(resource, type, options));
  return issues;
}

/** Throws a 400 carrying every issue when at least one is an error; else returns the warnings, for the response. */
export function assertValid(resource: unknown, options?: ValidateOptions): IssueInput[] {
  const issues = validateResource(resource, options);
  if (issues.some(isError)) throw FhirError.of(issues, 400);
  return issues;
}

export function isError(issue: IssueInput): boolean {
  return issue.severity === undefined || issue.severity === 'error' || issue.severity === 'fatal';
}
