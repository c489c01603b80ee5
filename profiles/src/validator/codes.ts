/**
 * Answers whether a code is in a value set; undefined when that cannot be known (a value set or
 * code system whose content is not at hand), because a code that cannot be checked is not
 * thereby wrong. The server composes one from the package's value sets, the R4 base terminology
 * and the terminology service.
 */
export interface CodeChecker {
  inValueSet(valueSet: string, system: string | undefined, code: string): boolean | undefined;
}

/** Whether a code is in a code system: the terminology service's answer for national systems. */
export type CodeSystemLookup = (system: string, code: string) => boolean | undefined;

export interface ValueSetLike {
  url?: string;
  compose?: { include: { system?: string; concept?: { code: string }[]; valueSet?: string[] }[] };
}
export interface CodeSystemLike {
  url?: string;
  content?: string;
  concept?: { code: string; concept?: unknown[] }[];
}

/**
 * A checker over value sets that include code systems whole or list their codes: a code from a
 * system the value set does not include is out; a code of an included system is looked up in
 * the package's own complete code systems, else asked of `lookup`. Value sets it does not hold
 * go to `fallback`.
 */
export function valueSetChecker(valueSets: readonly ValueSetLike[], codeSystems: readonly CodeSystemLike[], lookup?: CodeSystemLookup, fallback?: CodeChecker): CodeChecker {
  const sets = new Map(valueSets.filter((v) => v.url).map((v) => [v.url as string, v]));
  const systems = new Map<string, Set<string>>();
  for (const system of codeSystems) {
    if (!system.url || system.content !== 'complete') continue;
    const codes = new Set<string>();
    const visit = (concepts: { code: string; concept?: unknown[] }[] | undefined): void => {
      for (const c of concepts ?? []) {
        codes.add(c.code);
        visit(c.concept as { code: string }[] | undefined);
      }
    };
    visit(system.concept);
    systems.set(system.url, codes);
  }
  return {
    inValueSet(url, system, code) {
      const valueSet = sets.get(url.split('|')[0] as string);
      if (!valueSet) return fallback?.inValueSet(url, system, code);
      let unknown = false;
      for (const include of valueSet.compose?.include ?? []) {
        if (include.valueSet?.length || !include.system) {
          unknown = true;
          continue;
        }
        if (system !== undefined && include.system !== system) continue;
        if (include.concept) {
          if (include.concept.some((c) => c.code === code)) return true;
          continue;
        }
        const own = systems.get(include.system);
        const answer = own ? own.has(code) : lookup?.(include.system, code);
        if (answer) return true;
        if (answer === undefined) unknown = true;
      }
      return unknown ? undefined : false;
    },
  };
}
