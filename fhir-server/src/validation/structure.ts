import { OperationOutcomeError, validateResource as medplumValidate } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { IssueInput } from '../errors/fhir-error.js';
import { isObject } from './json.js';
import { describeStructureIssue } from './structure-messages.js';

/**
 * Medplum messages that the walker in `elements.ts` reports itself, with a catalogue message
 * and the full element path (medplum gives these without the parent path, or only as warnings).
 */
const SUPERSEDED = [
  /^Invalid reference: got /,
  /^Conflicting choice of type properties/,
  /^Type of primitive extension does not match/,
  /^Unknown data type: /,
];

/**
 * Structure, cardinality, JSON types, primitive formats and the invariants medplum evaluates,
 * via @medplum/core's validator, as catalogue issues. `resource` must have a known resourceType;
 * `untypedResources` locates nested resources whose type is missing or unknown (reported elsewhere).
 */
export function structureIssues(resource: Record<string, unknown>, untypedResources: readonly (string | number)[][] = []): IssueInput[] {
  let found: OperationOutcomeIssue[];
  try {
    found = medplumValidate(withStandIns(resource, untypedResources) as unknown as Resource);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    found = err.outcome.issue ?? [];
  }
  const unevaluated = unevaluatedConstraints(found);
  const issues: IssueInput[] = [];
  for (const issue of found) {
    const text = issue.details?.text ?? issue.diagnostics ?? '';
    if (issue.code === 'processing' || SUPERSEDED.some((pattern) => pattern.test(text))) continue;
    const expression = issue.expression?.[0];
    if (issue.code === 'invariant' && unevaluated.has(`${expression}|${fhirPathOf(issue)}`)) continue;
    const message = describeStructureIssue(text);
    issues.push({
      messageId: 'validation.failed',
      params: { detail: message.en, zhDetail: message.zh },
      severity: issue.severity === 'error' || issue.severity === 'fatal' ? 'error' : 'warning',
      code: message.code ?? (issue.code === 'invariant' ? 'invariant' : 'structure'),
      ...(expression ? { expression: concretePath(expression, resource) } : {}),
    });
  }
  return issues;
}

/** A valid resource of no consequence for its surroundings; see `withStandIns`. */
const STAND_IN = { resourceType: 'Basic', code: { text: 'stand-in' } };

/**
 * Medplum aborts the whole validation at a nested resource of unknown type, losing every other
 * issue; so such resources are swapped for a stand-in, in a copy, before it runs.
 */
function withStandIns(resource: Record<string, unknown>, paths: readonly (string | number)[][]): Record<string, unknown> {
  if (!paths.length) return resource;
  const copy = structuredClone(resource);
  for (const path of paths) {
    let parent: unknown = copy;
    for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
    (parent as Record<string | number, unknown>)[path[path.length - 1] as string | number] = STAND_IN;
  }
  return copy;
}

/**
 * Invariants medplum could not evaluate (it reports a processing error and then the invariant as
 * failed). An engine limitation says nothing about the resource, so both are dropped.
 */
function unevaluatedConstraints(issues: readonly OperationOutcomeIssue[]): Set<string> {
  const keys = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'processing') keys.add(`${issue.expression?.[0]}|${fhirPathOf(issue)}`);
  }
  return keys;
}

function fhirPathOf(issue: OperationOutcomeIssue): string | undefined {
  if (!issue.diagnostics) return undefined;
  try {
    const data: unknown = JSON.parse(issue.diagnostics);
    return typeof data === 'object' && data && 'fhirpath' in data ? String(data.fhirpath) : undefined;
  } catch {
    return undefined;
  }
}

const SEGMENT = /^(.*?)((?:\[\d+\])*)$/;

/**
 * Medplum names choice elements by their definition (`Observation.value[x].value`); users wrote
 * `valueQuantity`, so each `[x]` segment is replaced by the property actually present.
 */
export function concretePath(expression: string, resource: Record<string, unknown>): string {
  if (!expression.includes('[x]')) return expression;
  const segments = expression.split('.');
  let node: unknown = resource;
  for (let i = 1; i < segments.length; i++) {
    const match = SEGMENT.exec(segments[i] ?? '');
    if (!match || !isObject(node)) break;
    let name = match[1] ?? '';
    const indexes = match[2] ?? '';
    if (name.endsWith('[x]')) {
      const key = choiceKey(node, name.slice(0, -3));
      if (!key) break;
      name = key;
      segments[i] = name + indexes;
    }
    node = node[name] ?? node[`_${name}`];
    for (const index of indexes.matchAll(/\[(\d+)\]/g)) node = Array.isArray(node) ? node[Number(index[1])] : undefined;
  }
  return segments.join('.');
}

function choiceKey(node: Record<string, unknown>, base: string): string | undefined {
  for (const key of Object.keys(node)) {
    const name = key.startsWith('_') ? key.slice(1) : key;
    if (name.length > base.length && name.startsWith(base) && isUpper(name.charCodeAt(base.length))) return name;
  }
  return undefined;
}

const isUpper = (char: number): boolean => char >= 65 && char <= 90;
