import type { CodeSystem } from '@medplum/fhirtypes';
import { descendants, indexCodeSystem, shippedContent, type IndexedCodeSystem } from '@qiao/terminology';
import { baseCodeSystem } from '../definitions/r4.js';

/**
 * Subsumption for `:above` / `:below`, from the code systems the server ships: the R4 base ones
 * and the national tables of `@qiao/terminology` (GB/T 6565 occupations, GB/T 4761 relations,
 * WS 364 tables with parents), indexed by the terminology workspace (nesting and `parent`
 * properties alike). Undefined when the code system is not held or lacks the code: then the
 * search cannot be answered, which is an error rather than an empty result.
 */
const cache = new Map<string, IndexedCodeSystem | null>();
let national: Map<string, CodeSystem> | undefined;

function shippedCodeSystem(system: string): CodeSystem | undefined {
  national ??= new Map(
    shippedContent()
      .filter((r): r is CodeSystem => r.resourceType === 'CodeSystem' && typeof r.url === 'string')
      .map((cs) => [cs.url as string, cs]),
  );
  return national.get(system);
}

function hierarchy(system: string): IndexedCodeSystem | undefined {
  let indexed = cache.get(system);
  if (indexed === undefined) {
    const cs = baseCodeSystem(system) ?? shippedCodeSystem(system);
    indexed = cs?.concept ? indexCodeSystem({ ...cs, url: system }) : null;
    cache.set(system, indexed);
  }
  return indexed ?? undefined;
}

/** The code and every code below it. */
export function codeAndDescendants(system: string, code: string): string[] | undefined {
  const cs = hierarchy(system);
  return cs?.concepts.has(code) ? [code, ...descendants(cs, code)] : undefined;
}

/** The code and every code above it. */
export function codeAndAncestors(system: string, code: string): string[] | undefined {
  const cs = hierarchy(system);
  if (!cs?.concepts.has(code)) return undefined;
  const out = new Set<string>();
  const stack = [code];
  for (let c = stack.pop(); c !== undefined; c = stack.pop()) {
    if (out.has(c)) continue;
    out.add(c);
    stack.push(...(cs.concepts.get(c)?.parents ?? []));
  }
  return [...out];
}
