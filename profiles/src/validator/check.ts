import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { CodeChecker } from './codes.js';
import type { CompiledConstraint, CompiledProfile, ElementRule } from './compile.js';
import { checkExtensionContexts, type ExtensionContexts } from './contexts.js';
import * as issue from './issues.js';
import type { ProfileIssue } from './issues.js';
import { matchesPattern } from './pattern.js';
import { NAMED_RULES } from './rules.js';

export interface ProfileSource {
  /** A compiled profile or extension definition by canonical URL (without version). */
  profile(url: string): CompiledProfile | undefined;
  codes: CodeChecker;
  /** Where the package's extensions may be used, by extension URL. */
  contexts?: ExtensionContexts;
}

/**
 * Every problem of `resource` against `profile`, beyond the base definition's (which the caller
 * checks): cardinality, fixed values and patterns, slices by discriminator value (identifier
 * system, extension url), bindings (required → error, extensible → warning), type narrowing,
 * extension definitions and where extensions may be used, constraints.
 */
export function checkProfile(resource: Record<string, unknown>, profile: CompiledProfile, source: ProfileSource): ProfileIssue[] {
  const type = String(resource.resourceType);
  if (type !== profile.type) return [issue.wrongType(type, profile.url, type, profile.type)];
  const checker = new Checker(source, profile, toTypedValue(resource));
  checker.element(resource, profile.root, type, true);
  if (source.contexts) checkExtensionContexts(resource, source.contexts, checker.issues);
  return checker.issues;
}

class Checker {
  readonly issues: ProfileIssue[] = [];

  constructor(
    private readonly source: ProfileSource,
    private readonly profile: CompiledProfile,
    private readonly resource: TypedValue,
  ) {}

  /** A value that `rule` applies to, at `expression`. */
  element(value: unknown, rule: ElementRule, expression: string, isRoot = false): void {
    if (rule.fixed !== undefined && !deepEqual(value, rule.fixed)) this.issues.push(issue.notFixed(expression, rule.fixed, false));
    if (rule.pattern !== undefined && !matchesPattern(value, rule.pattern)) this.issues.push(issue.notFixed(expression, rule.pattern, true));
    if (rule.binding) this.binding(value, rule.binding, expression);
    for (const constraint of rule.constraints) this.constraint(value, constraint, expression, isRoot);
    if (rule.extensionUrl) {
      const extension = this.source.profile(rule.extensionUrl);
      if (extension) this.element(value, extension.root, expression);
    }
    if (rule.children.size && isObject(value)) this.children(value, rule, expression);
  }

  private children(object: Record<string, unknown>, rule: ElementRule, expression: string): void {
    for (const child of rule.children.values()) {
      const { key, type } = propertyOf(object, child.name);
      const path = `${expression}.${key}`;
      const raw = object[key];
      const values = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
      const at = (i: number) => (Array.isArray(raw) ? `${path}[${i}]` : path);
      if (child.min !== undefined && values.length < child.min) this.issues.push(issue.tooFew(path, child.short, child.min, values.length, this.profile.title));
      if (child.max !== undefined && values.length > child.max) this.issues.push(issue.tooMany(path, child.short, child.max, values.length, this.profile.title));
      if (child.types && type && values.length && !child.types.includes(type)) this.issues.push(issue.typeNotAllowed(path, type, child.types));
      values.forEach((value, i) => this.element(value, child, at(i)));
      if (child.slices.length) this.slices(values, child, path, at);
    }
  }

  private slices(values: readonly unknown[], sliced: ElementRule, path: string, at: (i: number) => string): void {
    const discriminators = sliced.slicing?.discriminators ?? [{ type: 'value', path: sliced.name === 'extension' || sliced.name === 'modifierExtension' ? 'url' : 'system' }];
    const matchedAny = new Set<number>();
    for (const { rule } of sliced.slices) {
      const matched: number[] = [];
      values.forEach((value, i) => {
        if (discriminators.every((d) => this.discriminates(value, rule, d.path))) matched.push(i);
      });
      for (const i of matched) {
        matchedAny.add(i);
        this.element(values[i], rule, at(i));
      }
      if (rule.min !== undefined && matched.length < rule.min) this.issues.push(issue.tooFew(path, rule.short, rule.min, matched.length, this.profile.title));
      if (rule.max !== undefined && matched.length > rule.max) this.issues.push(issue.tooMany(path, rule.short, rule.max, matched.length, this.profile.title));
    }
    if (sliced.slicing?.rules === 'closed') values.forEach((_, i) => matchedAny.has(i) || this.issues.push(issue.notInClosedSlicing(at(i))));
  }

  /** Whether a value belongs to a slice: its value at `path` equals what the slice fixes there (an extension slice fixes its url by its definition). */
  private discriminates(value: unknown, slice: ElementRule, path: string): boolean {
    if (!isObject(value)) return false;
    const expected = fixedAt(slice, path) ?? (path === 'url' ? slice.extensionUrl : undefined);
    if (expected === undefined) return false;
    const actual = path.split('.').reduce<unknown>((v, name) => (isObject(v) ? v[name] : undefined), value);
    return matchesPattern(actual, expected);
  }

  private binding(value: unknown, binding: NonNullable<ElementRule['binding']>, expression: string): void {
    if (binding.strength !== 'required' && binding.strength !== 'extensible') return;
    const codings = typeof value === 'string' ? [{ code: value }] : !isObject(value) ? [] : Array.isArray(value.coding) ? value.coding.filter(isObject) : 'code' in value ? [value] : [];
    const coded = codings.filter((c) => typeof c.code === 'string') as { system?: unknown; code: string }[];
    if (!coded.length) {
      if (binding.strength === 'required' && isObject(value)) this.issues.push(issue.noCode(expression, binding.valueSet));
      return;
    }
    let unknown = false;
    for (const coding of coded) {
      const answer = this.source.codes.inValueSet(binding.valueSet, typeof coding.system === 'string' ? coding.system : undefined, coding.code);
      if (answer) return;
      if (answer === undefined) unknown = true;
    }
    if (unknown) return;
    const first = coded[0] as { system?: unknown; code: string };
    const shown = typeof first.system === 'string' ? `${first.system}|${first.code}` : first.code;
    this.issues.push(issue.notInValueSet(expression, shown, binding.valueSet, binding.strength));
  }

  private constraint(value: unknown, constraint: CompiledConstraint, expression: string, isRoot: boolean): void {
    const named = NAMED_RULES.get(constraint.key);
    let holds: boolean;
    if (named) holds = named(value);
    else if (!constraint.expression) return;
    else {
      const context = isRoot ? this.resource : toTypedValue(value);
      try {
        const result = evalFhirPathTyped(constraint.expression, [context], { '%resource': this.resource, '%rootResource': this.resource, '%context': context });
        holds = result.length === 0 || (result.length === 1 && result[0]?.value === true);
      } catch {
        // An expression the engine cannot evaluate says nothing about the resource.
        return;
      }
    }
    if (!holds) this.issues.push(issue.constraintFailed(expression, constraint.key, constraint.severity, constraint.zh, constraint.en));
  }
}

/** The JSON property holding element `name`: for a choice (`value[x]`), whichever `valueXxx` is present, with its type. */
function propertyOf(object: Record<string, unknown>, name: string): { key: string; type?: string } {
  if (!name.endsWith('[x]')) return { key: name };
  const stem = name.slice(0, -3);
  for (const key of Object.keys(object)) {
    const rest = key.slice(stem.length);
    if (key.startsWith(stem) && /^[A-Z]/.test(rest)) return { key, type: isPrimitiveName(rest) ? rest.charAt(0).toLowerCase() + rest.slice(1) : rest };
  }
  return { key: stem };
}

const PRIMITIVES = new Set(['boolean', 'integer', 'string', 'decimal', 'uri', 'url', 'canonical', 'base64Binary', 'instant', 'date', 'dateTime', 'time', 'code', 'oid', 'id', 'markdown', 'unsignedInt', 'positiveInt', 'uuid']);
const isPrimitiveName = (suffix: string): boolean => PRIMITIVES.has(suffix.charAt(0).toLowerCase() + suffix.slice(1));

/** The value a slice fixes (or patterns) at `path` below it. */
function fixedAt(slice: ElementRule, path: string): unknown {
  let rule: ElementRule | undefined = slice;
  for (const name of path.split('.')) rule = rule?.children.get(name);
  return rule?.fixed ?? rule?.pattern;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
