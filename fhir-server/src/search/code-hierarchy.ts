import type { CodeSystem, CodeSystemConcept } from '@medplum/fhirtypes';
import { shippedContent } from '@qiao/terminology';
import { baseCodeSystem } from '../definitions/r4.js';

/**
 * Subsumption for `:above` / `:below`, from the code systems the server ships: the R4 base ones
 * and the national tables of `@qiao/terminology` (GB/T 6565 occupations, GB/T 2260 divisions,
 * WS 364 tables with parents). A hierarchy is the nesting of `concept.concept` and the `parent` /
 * `subsumedBy` properties, which flat national tables use. Undefined when the code system is not
 * held or lacks the code: then the search cannot be answered, which is an error rather than an
 * empty result.
 */
interface Node {
  parents: string[];
  children: string[];
}

const cache = new Map<string, Map<string, Node> | null>();
let national: Map<string, CodeSystem> | undefined;

function shippedCodeSystem(system: string): CodeSystem | undefined {
  national ??= new Map(
    shippedContent()
      .filter((r): r is CodeSystem => r.resourceType === 'CodeSystem' && typeof r.url === 'string')
      .map((cs) => [cs.url as string, cs]),
  );
  return national.get(system);
}

function build(concepts: CodeSystemConcept[]): Map<string, Node> {
  const nodes = new Map<string, Node>();
  const links: [child: string, parent: string][] = [];
  const walk = (list: CodeSystemConcept[], parent: string | undefined): void => {
    for (const c of list) {
      if (!nodes.has(c.code)) nodes.set(c.code, { parents: [], children: [] });
      if (parent !== undefined) links.push([c.code, parent]);
      for (const p of c.property ?? []) {
        const value = p.valueCode ?? p.valueString ?? p.valueCoding?.code;
        if ((p.code === 'parent' || p.code === 'subsumedBy') && value) links.push([c.code, value]);
      }
      if (c.concept) walk(c.concept, c.code);
    }
  };
  walk(concepts, undefined);
  for (const [child, parent] of links) {
    const c = nodes.get(child);
    const p = nodes.get(parent);
    if (!c || !p || c.parents.includes(parent)) continue;
    c.parents.push(parent);
    p.children.push(child);
  }
  return nodes;
}

function hierarchy(system: string): Map<string, Node> | undefined {
  let nodes = cache.get(system);
  if (nodes === undefined) {
    const concepts = (baseCodeSystem(system) ?? shippedCodeSystem(system))?.concept;
    nodes = concepts ? build(concepts) : null;
    cache.set(system, nodes);
  }
  return nodes ?? undefined;
}

function closure(system: string, code: string, next: (node: Node) => string[]): string[] | undefined {
  const nodes = hierarchy(system);
  if (!nodes?.has(code)) return undefined;
  const seen = new Set<string>();
  const stack = [code];
  while (stack.length) {
    const c = stack.pop() as string;
    if (seen.has(c)) continue;
    seen.add(c);
    const node = nodes.get(c);
    if (node) stack.push(...next(node));
  }
  return [...seen];
}

/** The code and every code below it. */
export function codeAndDescendants(system: string, code: string): string[] | undefined {
  return closure(system, code, (n) => n.children);
}

/** The code and every code above it. */
export function codeAndAncestors(system: string, code: string): string[] | undefined {
  return closure(system, code, (n) => n.parents);
}
