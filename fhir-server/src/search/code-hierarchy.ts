import type { CodeSystemConcept } from '@medplum/fhirtypes';
import { baseCodeSystem } from '../definitions/r4.js';

/**
 * Subsumption for `:above` / `:below` from the nesting of a code system's concepts (the R4
 * `concept.concept` hierarchy). Undefined when the code system is not held or lacks the code:
 * then the search cannot be answered, which is an error rather than an empty result.
 */
interface Node {
  parent: string | undefined;
  children: string[];
}

const cache = new Map<string, Map<string, Node> | null>();

function hierarchy(system: string): Map<string, Node> | undefined {
  let nodes = cache.get(system);
  if (nodes === undefined) {
    const concepts = baseCodeSystem(system)?.concept;
    nodes = concepts ? new Map() : null;
    const walk = (list: CodeSystemConcept[], parent: string | undefined): void => {
      for (const c of list) {
        nodes?.set(c.code, { parent, children: (c.concept ?? []).map((child) => child.code) });
        if (c.concept) walk(c.concept, c.code);
      }
    };
    if (concepts) walk(concepts, undefined);
    cache.set(system, nodes);
  }
  return nodes ?? undefined;
}

/** The code and every code below it. */
export function codeAndDescendants(system: string, code: string): string[] | undefined {
  const nodes = hierarchy(system);
  if (!nodes?.has(code)) return undefined;
  const out: string[] = [];
  const stack = [code];
  while (stack.length) {
    const next = stack.pop() as string;
    out.push(next);
    stack.push(...(nodes.get(next)?.children ?? []));
  }
  return out;
}

/** The code and every code above it. */
export function codeAndAncestors(system: string, code: string): string[] | undefined {
  const nodes = hierarchy(system);
  if (!nodes?.has(code)) return undefined;
  const out: string[] = [];
  for (let c: string | undefined = code; c !== undefined && !out.includes(c); c = nodes.get(c)?.parent) out.push(c);
  return out;
}
