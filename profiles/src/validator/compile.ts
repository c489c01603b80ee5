import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import type { ElementDefinition, ElementDefinitionConstraint, StructureDefinition } from '@medplum/fhirtypes';
import { TRANSLATION } from '../definitions/compact.js';

/** What a profile's differential says about one element (or slice), as the checker applies it. */
export interface ElementRule {
  readonly id: string;
  /** JSON property name; `value[x]` for a choice. */
  readonly name: string;
  short?: string;
  min?: number;
  max?: number;
  fixed?: unknown;
  pattern?: unknown;
  binding?: { strength: string; valueSet: string };
  constraints: CompiledConstraint[];
  /** Type codes a choice element is narrowed to. */
  types?: string[];
  /** The extension definition an Extension element must conform to. */
  extensionUrl?: string;
  slicing?: { discriminators: { type: string; path: string }[]; rules: string };
  readonly slices: { name: string; rule: ElementRule }[];
  readonly children: Map<string, ElementRule>;
}

export interface CompiledConstraint {
  readonly key: string;
  readonly severity: 'error' | 'warning';
  readonly en: string;
  readonly zh: string;
  /** Null when the engine cannot parse it: it then says nothing about the resource. */
  readonly expression: FhirPathAtom | null;
}

export interface CompiledProfile {
  readonly url: string;
  readonly type: string;
  readonly title: string;
  readonly root: ElementRule;
}

/**
 * Compiles a StructureDefinition's differential into a tree of element rules, keyed by JSON
 * property name, so that a check walks only the elements the profile constrains.
 */
export function compileProfile(definition: StructureDefinition): CompiledProfile {
  const root = newRule(definition.type, definition.type);
  for (const element of definition.differential?.element ?? []) {
    const segments = (element.id ?? element.path).split('.');
    let rule = root;
    for (const segment of segments.slice(1)) {
      const [name, slice] = segment.split(':') as [string, string | undefined];
      let child = rule.children.get(name);
      if (!child) rule.children.set(name, (child = newRule(`${rule.id}.${name}`, name)));
      if (slice !== undefined) {
        let sliced = child.slices.find((s) => s.name === slice)?.rule;
        if (!sliced) child.slices.push({ name: slice, rule: (sliced = newRule(`${child.id}:${slice}`, name)) });
        child = sliced;
      }
      rule = child;
    }
    apply(rule, element);
  }
  return { url: definition.url, type: definition.type, title: definition.title ?? definition.name, root };
}

function newRule(id: string, name: string): ElementRule {
  return { id, name, constraints: [], slices: [], children: new Map() };
}

function apply(rule: ElementRule, element: ElementDefinition): void {
  if (element.short) rule.short = element.short;
  if (element.min !== undefined) rule.min = element.min;
  if (element.max !== undefined) rule.max = element.max === '*' ? Infinity : Number(element.max);
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith('fixed')) rule.fixed = value;
    else if (key.startsWith('pattern')) rule.pattern = value;
  }
  if (element.binding?.valueSet && element.binding.strength) rule.binding = { strength: element.binding.strength, valueSet: element.binding.valueSet };
  rule.constraints.push(...(element.constraint ?? []).map(compileConstraint));
  const extension = element.type?.find((t) => t.code === 'Extension' && t.profile?.length);
  if (extension?.profile?.[0]) rule.extensionUrl = extension.profile[0];
  if (rule.name.endsWith('[x]') && element.type?.length) rule.types = element.type.map((t) => t.code);
  if (element.slicing) {
    rule.slicing = {
      discriminators: (element.slicing.discriminator ?? []).map((d) => ({ type: d.type, path: d.path })),
      rules: element.slicing.rules,
    };
  }
}

function compileConstraint(constraint: ElementDefinitionConstraint): CompiledConstraint {
  let expression: FhirPathAtom | null = null;
  try {
    if (constraint.expression) expression = parseFhirPath(constraint.expression);
  } catch {
    expression = null;
  }
  return {
    key: constraint.key,
    severity: constraint.severity === 'warning' ? 'warning' : 'error',
    en: constraint.human,
    zh: translation(constraint) ?? constraint.human,
    expression,
  };
}

function translation(constraint: ElementDefinitionConstraint): string | undefined {
  const extensions = (constraint as { _human?: { extension?: { url: string; extension?: { url: string; valueCode?: string; valueString?: string }[] }[] } })._human?.extension;
  for (const extension of extensions ?? []) {
    if (extension.url !== TRANSLATION) continue;
    const parts = extension.extension ?? [];
    if (parts.some((p) => p.url === 'lang' && p.valueCode?.startsWith('zh'))) return parts.find((p) => p.url === 'content')?.valueString;
  }
  return undefined;
}
