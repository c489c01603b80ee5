import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';
import { baseCodeSystem, baseValueSet } from '../definitions/r4.js';

/** The codes of an expanded value set, grouped by code system URL. */
export type Expansion = ReadonlyMap<string, ReadonlySet<string>>;

/** Where value sets and code systems are looked up by canonical URL (without version). */
export interface TerminologySource {
  valueSet(url: string): ValueSet | undefined;
  codeSystem(url: string): CodeSystem | undefined;
}

export type Expander = (url: string) => Expansion | undefined;

type MutableExpansion = Map<string, Set<string>>;

/**
 * Expands value sets from their `compose`: whole code systems (nested concepts included),
 * explicit concept lists, imported value sets, excludes. An expansion is undefined when it is
 * not possible locally — a filter, or a code system not held in full (SNOMED CT, LOINC, UCUM…)
 * — because a code that cannot be checked is not thereby invalid. Results are cached per URL,
 * `|version` ignored (the source holds one version).
 */
export function valueSetExpander(source: TerminologySource): Expander {
  // `null` records a value set that cannot be expanded, so the attempt is not repeated on every write.
  const cache = new Map<string, Expansion | null>();

  const expand = (url: string, visiting: Set<string>): Expansion | null => {
    const cached = cache.get(url);
    if (cached !== undefined) return cached;
    // An import cycle cannot be expanded; not cached here, the outermost value set decides.
    if (visiting.has(url)) return null;
    visiting.add(url);
    const result = compose(url, visiting);
    visiting.delete(url);
    cache.set(url, result);
    return result;
  };

  const compose = (url: string, visiting: Set<string>): Expansion | null => {
    const definition = source.valueSet(url)?.compose;
    if (!definition?.include.length) return null;
    const codes: MutableExpansion = new Map();
    for (const include of definition.include) {
      const included = clause(include, visiting);
      if (!included) return null;
      for (const [system, set] of included) addAll(codes, system, set);
    }
    for (const exclude of definition.exclude ?? []) {
      const excluded = clause(exclude, visiting);
      if (!excluded) return null;
      for (const [system, set] of excluded) {
        const target = codes.get(system);
        if (target) for (const code of set) target.delete(code);
      }
    }
    return codes;
  };

  /** One include or exclude: its own codes, intersected with every value set it imports. */
  const clause = (include: ValueSetComposeInclude, visiting: Set<string>): Expansion | null => {
    let result: Expansion | undefined;
    if (include.system !== undefined) {
      if (include.filter?.length) return null;
      const codes = include.concept ? new Set(include.concept.map((c) => c.code)) : allCodes(source.codeSystem(include.system));
      if (!codes) return null;
      result = new Map([[include.system, codes]]);
    }
    for (const imported of include.valueSet ?? []) {
      const expansion = expand(withoutVersion(imported), visiting);
      if (!expansion) return null;
      result = result ? intersect(result, expansion) : expansion;
    }
    return result ?? new Map();
  };

  return (url) => expand(withoutVersion(url), new Set()) ?? undefined;
}

/** Value sets of the R4 base definitions. */
export const expandValueSet: Expander = valueSetExpander({
  valueSet: (url) => baseValueSet(url),
  codeSystem: (url) => baseCodeSystem(url),
});

export function expansionHas(expansion: Expansion, system: string | undefined, code: string): boolean {
  if (system !== undefined) return expansion.get(system)?.has(code) ?? false;
  for (const codes of expansion.values()) if (codes.has(code)) return true;
  return false;
}

function withoutVersion(url: string): string {
  const bar = url.indexOf('|');
  return bar < 0 ? url : url.slice(0, bar);
}

/** Every code of a code system that is held in full, at any depth of its hierarchy. */
function allCodes(codeSystem: CodeSystem | undefined): Set<string> | undefined {
  if (codeSystem?.content !== 'complete') return undefined;
  const codes = new Set<string>();
  const visit = (concepts: CodeSystemConcept[] | undefined): void => {
    for (const concept of concepts ?? []) {
      codes.add(concept.code);
      visit(concept.concept);
    }
  };
  visit(codeSystem.concept);
  return codes;
}

function intersect(a: Expansion, b: Expansion): Expansion {
  const result: MutableExpansion = new Map();
  for (const [system, codes] of a) {
    const other = b.get(system);
    if (other) result.set(system, new Set([...codes].filter((code) => other.has(code))));
  }
  return result;
}

function addAll(target: MutableExpansion, system: string, codes: ReadonlySet<string>): void {
  const existing = target.get(system);
  if (existing) for (const code of codes) existing.add(code);
  else target.set(system, new Set(codes));
}
