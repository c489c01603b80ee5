import type { CodeSystem } from '@medplum/fhirtypes';
import { descendants, indexCodeSystem, shippedContent, type IndexedCodeSystem } from '@qiao/terminology';
import { baseCodeSystem } from '../definitions/r4.js';

/**
 * Subsumption for `:above` / `:below`, from the code systems the server ships: the R4 base ones
 * and the national tables of `@qiao/terminology` (GB/T 6565 occupations, GB/T 4761 relations,
 * WS 364 tables with parents), indexed by the terminology workspace (nesting and `parent`
 * properties alike), then from those stored on the server. Undefined when the code system is not
 * held or lacks the code: then the search cannot be answered, which is an error rather than an
 * empty result.
 */
const cache = new Map<string, IndexedCodeSystem | null>();

/** Where the code systems stored on the server are found (the terminology service). */
export interface StoredCodeSystems {
  codeSystem(url: string): CodeSystem | undefined;
}
let national: Map<string, CodeSystem> | undefined;

function shippedCodeSystem(system: string): CodeSystem | undefined {
  national ??= new Map(
    shippedContent()
      .filter((r): r is CodeSystem => r.resourceType === 'CodeSystem' && typeof r.url === 'string')
      .map((cs) => [cs.url as string, cs]),
  );
  return national.get(system);
}

/** Code systems stored on the server (a hospital's own tables), indexed once per stored version. */
const storedIndex = new WeakMap<CodeSystem, IndexedCodeSystem>();

function hierarchy(system: string, stored?: StoredCodeSystems): IndexedCodeSystem | undefined {
  let indexed = cache.get(system);
  if (indexed === undefined) {
    const cs = baseCodeSystem(system) ?? shippedCodeSystem(system);
    indexed = cs?.concept ? indexCodeSystem({ ...cs, url: system }) : null;
    cache.set(system, indexed);
  }
  if (indexed) return indexed;
  const own = stored?.codeSystem(system);
  if (!own?.concept) return undefined;
  let ownIndexed = storedIndex.get(own);
  if (!ownIndexed) storedIndex.set(own, (ownIndexed = indexCodeSystem({ ...own, url: system })));
  return ownIndexed;
}

/** The code and every code below it. */
export function codeAndDescendants(system: string, code: string, stored?: StoredCodeSystems): string[] | undefined {
  const cs = hierarchy(system, stored);
  return cs?.concepts.has(code) ? [code, ...descendants(cs, code)] : undefined;
}

/** The code and every code above it. */
export function codeAndAncestors(system: string, code: string, stored?: StoredCodeSystems): string[] | undefined {
  const cs = hierarchy(system, stored);
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
