/**
 * Reference parameters whose values are another parameter's, restricted to one target type.
 * R4 defines `Observation.patient` as `Observation.subject.where(resolve() is Patient)` and
 * AuditEvent's `patient` as the Patient references among `agent` and `entity`: stored as rows of
 * their own, they repeat rows already stored under the source parameter — one in two reference
 * rows of every clinical write, and the 50 patients of a searched page twice over in its audit
 * record. Such a parameter ("derived") keeps no rows of its own; its rows are read as those of its
 * sources with the target type.
 *
 * Read as the union `param = derived OR (param IN sources AND target_type = T)`, a row stored
 * under the derived parameter still counts (rows written before, and the few the source does not
 * repeat — a conditional reference `Patient?identifier=…` resolves to Patient but names no target
 * id), so the writer drops only the rows its sources repeat, and no migration is needed for
 * correctness. A SearchParameter stored later that ends a derivation (a source redefined) needs
 * `$reindex` to give the parameter its rows back, as any changed parameter does.
 */
import { resourceTypes } from '../definitions/r4.js';
import { resolveIsParts } from './compiled-path.js';
import { searchParamsFor, parametersGeneration, type ResolvedParam } from './search-parameters.js';

export interface DerivedReference {
  /** Reference parameters of the same type whose rows with `targetType` are exactly this one's. */
  sources: string[];
  targetType: string;
}

/** Keyed by the type's parameter map, which is made anew whenever the SearchParameters change. */
const derivedByParams = new WeakMap<ReadonlyMap<string, ResolvedParam>, ReadonlyMap<string, DerivedReference>>();

/** The derived reference parameters of a resource type (a contained one's `#Type` is its type's). */
export function derivedReferences(resourceType: string): ReadonlyMap<string, DerivedReference> {
  const params = searchParamsFor(resourceType.replace(/^#/, ''));
  const known = derivedByParams.get(params);
  if (known) return known;
  const derived = new Map<string, DerivedReference>();
  for (const param of params.values()) {
    const found = param.type === 'reference' ? derivation(param, params) : undefined;
    if (found) derived.set(param.code, found);
  }
  derivedByParams.set(params, derived);
  return derived;
}

/**
 * Every branch of `param` is `<path>.where(resolve() is T)` with one T, and the paths are exactly
 * the branches of other reference parameters taken whole (a source with a branch outside them
 * would bring rows of type T that are not this parameter's).
 */
function derivation(param: ResolvedParam, params: ReadonlyMap<string, ResolvedParam>): DerivedReference | undefined {
  const parts = param.branches.map(resolveIsParts);
  const targetType = parts[0]?.target;
  if (!targetType || parts.some((part) => part?.target !== targetType)) return undefined;
  const paths = new Set(parts.map((part) => part?.path));
  const sources: string[] = [];
  const covered = new Set<string>();
  for (const other of params.values()) {
    if (other === param || other.type !== 'reference' || other.branches.length === 0) continue;
    if (!other.branches.every((b) => paths.has(b)) || other.branches.every((b) => covered.has(b))) continue;
    sources.push(other.code);
    for (const b of other.branches) covered.add(b);
  }
  return covered.size === paths.size ? { sources, targetType } : undefined;
}

/** A derivation shared by several resource types (with their contained `#Type`). */
interface Shape extends DerivedReference {
  param: string;
  types: string[];
}

let shapesGeneration = -1;
let shapes: Shape[] = [];

/** Every derivation over every resource type, grouped by parameter, sources and target type. */
function derivationShapes(): Shape[] {
  if (shapesGeneration === parametersGeneration()) return shapes;
  const byKey = new Map<string, Shape>();
  for (const type of resourceTypes()) {
    for (const [param, d] of derivedReferences(type)) {
      const key = `${param}|${d.targetType}|${d.sources.join(',')}`;
      const shape = byKey.get(key) ?? { param, ...d, types: [] };
      shape.types.push(type, `#${type}`);
      byKey.set(key, shape);
    }
  }
  shapes = [...byKey.values()];
  shapesGeneration = parametersGeneration();
  return shapes;
}

/**
 * The condition on `search_reference` rows `x` that selects the rows of reference parameters
 * `params` of resources of `resourceType` (undefined: of any type, each read as its own type
 * defines them). `arg` binds a value.
 */
export function referenceParamsSql(x: string, resourceType: string | undefined, params: readonly string[], arg: (value: unknown) => string): string {
  const groups = new Map<string, { targetType: string; sources: Set<string>; types: Set<string> }>();
  for (const code of params) {
    const own = resourceType ? derivedReferences(resourceType).get(code) : undefined;
    const found = resourceType ? (own ? [{ ...own, types: [] }] : []) : derivationShapes().filter((shape) => shape.param === code);
    for (const g of found) {
      const key = `${g.targetType}|${g.types.length === 0 ? '' : g.types.join(',')}`;
      const group = groups.get(key) ?? { targetType: g.targetType, sources: new Set<string>(), types: new Set(g.types) };
      for (const s of g.sources) group.sources.add(s);
      groups.set(key, group);
    }
  }
  const own = params.length === 1 ? `${x}.param = ${arg(params[0])}` : `${x}.param = ANY(${arg(params)}::text[])`;
  if (groups.size === 0) return own;
  const all = new Set(params);
  const alternatives = [own];
  for (const g of groups.values()) {
    for (const s of g.sources) all.add(s);
    const typed = g.types.size > 0 ? ` AND ${x}.resource_type = ANY(${arg([...g.types])}::text[])` : '';
    alternatives.push(`(${x}.target_type = ${arg(g.targetType)} AND ${x}.param = ANY(${arg([...g.sources])}::text[])${typed})`);
  }
  // The first condition is the index's: every row read is of one of these parameters.
  return `${x}.param = ANY(${arg([...all])}::text[]) AND (${alternatives.join(' OR ')})`;
}

/**
 * Statements deleting the stored rows of derived parameters that their sources repeat (what the
 * writer no longer stores), one per derivation shared by several types. Rows of a derivation that
 * no source repeats stay, and are still read.
 */
export function repeatedRowsSql(): string {
  const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
  return derivationShapes()
    .map(
      (g) => `DELETE FROM search_reference d WHERE d.resource_type IN (${list(g.types)}) AND d.param = '${g.param}' AND d.grp IS NULL AND d.target_type = '${g.targetType}'
        AND EXISTS (SELECT 1 FROM search_reference s WHERE s.resource_type = d.resource_type AND s.id = d.id AND s.param IN (${list(g.sources)}) AND s.grp IS NULL
          AND s.target_type = d.target_type AND s.target_id IS NOT DISTINCT FROM d.target_id AND s.url IS NOT DISTINCT FROM d.url);`,
    )
    .join('\n');
}
