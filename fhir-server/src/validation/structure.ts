import { OperationOutcomeError, validateResource as medplumValidate } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import type { IssueInput } from '../errors/fhir-error.js';
import type { Mask } from './elements.js';
import { isObject } from './json.js';
import { describeStructureIssue } from './structure-messages.js';

/**
 * Medplum messages that the walk in `elements.ts` reports itself, with a catalogue message and
 * the full element path (medplum gives these without the parent path, or only as warnings).
 */
const SUPERSEDED = [/^Invalid reference: got /, /^Conflicting choice of type properties/, /^Type of primitive extension does not match/];

/**
 * Structure, cardinality, JSON types, primitive formats and the invariants medplum evaluates,
 * via @medplum/core's validator, as catalogue issues. `resource` must have a known resourceType;
 * `masks` are values already reported by the element walk, which medplum must not see.
 */
export function structureIssues(resource: Record<string, unknown>, masks: readonly Mask[]): IssueInput[] {
  const checked = masked(resource, masks);
  let found: OperationOutcomeIssue[];
  try {
    found = medplumValidate(checked as unknown as Resource);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    found = err.outcome.issue ?? [];
  }
  const unevaluated = unevaluatedConstraints(found);
  const issues: IssueInput[] = [];
  for (const issue of found) {
    const text = issue.details?.text ?? issue.diagnostics ?? '';
    if (issue.code === 'processing' || SUPERSEDED.some((pattern) => pattern.test(text))) continue;
    const raw = issue.expression?.[0];
    if (issue.code === 'invariant' && unevaluated.has(`${raw}|${fhirPathOf(issue)}`)) continue;
    const expression = raw === undefined ? undefined : concretePath(raw, checked);
    if (expression !== undefined && masks.some((mask) => within(expression, mask.expression))) continue;
    const message = describeStructureIssue(text);
    issues.push({
      messageId: 'validation.failed',
      params: { detail: message.en, zhDetail: message.zh },
      severity: issue.severity === 'error' || issue.severity === 'fatal' ? 'error' : 'warning',
      code: message.code ?? (issue.code === 'invariant' ? 'invariant' : 'structure'),
      ...(expression ? { expression } : {}),
    });
  }
  return issues;
}

/**
 * A copy with the masked values replaced: medplum reads a string where an object belongs as an
 * object of characters, throws on malformed primitive extensions, and stops at unknown resource types.
 */
function masked(resource: Record<string, unknown>, masks: readonly Mask[]): Record<string, unknown> {
  if (!masks.length) return resource;
  const copy = structuredClone(resource);
  for (const { keys, replacement } of masks) {
    let parent: unknown = copy;
    for (const key of keys.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
    const last = keys[keys.length - 1];
    // An array keeps its length so that the paths of the other items stay true.
    if (Array.isArray(parent) && typeof last === 'number') parent[last] = replacement;
    else if (isObject(parent) && last !== undefined) {
      if (replacement === undefined) delete parent[last];
      else parent[last] = replacement;
    }
  }
  return copy;
}

function within(expression: string, path: string): boolean {
  return expression.startsWith(path) && (expression.length === path.length || expression[path.length] === '.' || expression[path.length] === '[');
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
