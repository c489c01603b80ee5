import type { SearchParameter } from '@medplum/fhirtypes';
import { baseSearchParameters } from '../definitions/r4.js';
import { compilePath, compileRelative, type PathEvaluator, type RelativeEvaluator } from './compiled-path.js';

export type ParamType = NonNullable<SearchParameter['type']>;

/** One component of a composite parameter: its type and an expression relative to the composite's item. */
export interface ResolvedComponent {
  type: ParamType;
  evaluate: RelativeEvaluator;
}

/** A search parameter as it applies to one resource type, with its expression compiled. */
export interface ResolvedParam {
  code: string;
  type: ParamType;
  definition: SearchParameter;
  /** Empty for parameters the engine computes itself (`_text`, `_content`, `_id`, `_lastUpdated`). */
  evaluators: PathEvaluator[];
  /** The `|` branches of the expression that concern this type, one per evaluator. */
  branches: string[];
  /** Reference parameters: the resource types a reference may point to. */
  targets: string[];
  components: ResolvedComponent[];
  /** At most one value per resource: conditions on it can be checked on one index row together. */
  singleValued: boolean;
}

const GENERIC_BASES = new Set(['Resource', 'DomainResource']);
/** Answered from the resource row or computed text, not from an expression index. */
const BUILT_IN = new Set(['_id', '_lastUpdated', '_text', '_content']);
/** Defined in R4 but with no meaning this server gives them (named queries). */
const UNSUPPORTED = new Set(['_query']);

const byType = new Map<string, Map<string, ResolvedParam>>();
const registered: SearchParameter[] = [];
let stored: readonly SearchParameter[] = [];
let byUrl: Map<string, SearchParameter> | undefined;
let generation = 0;

function changed(): void {
  byType.clear();
  byUrl = undefined;
  generation++;
}

/**
 * Adds SearchParameters beyond R4's own (those the national profiles define). Resources written
 * before need `$reindex` to be found by them.
 */
export function registerSearchParameters(parameters: readonly SearchParameter[]): void {
  registered.push(...parameters);
  changed();
}

/** Replaces the SearchParameters that clients stored on this server (later ones win on a code). */
export function setStoredSearchParameters(parameters: readonly SearchParameter[]): void {
  stored = parameters;
  changed();
}

/** Changes whenever the set of parameters does, for caches of what is derived from it. */
export function parametersGeneration(): number {
  return generation;
}

function allDefinitions(): readonly SearchParameter[] {
  return registered.length || stored.length ? [...baseSearchParameters(), ...registered, ...stored] : baseSearchParameters();
}

function definitionByUrl(url: string): SearchParameter | undefined {
  byUrl ??= new Map(allDefinitions().flatMap((sp) => (sp.url ? [[sp.url, sp] as const] : [])));
  return byUrl.get(url);
}

/**
 * The search parameters of a resource type: those based on the type and those based on
 * Resource/DomainResource. Each `|` branch of the expression that concerns this type is compiled once.
 */
export function searchParamsFor(resourceType: string): ReadonlyMap<string, ResolvedParam> {
  let params = byType.get(resourceType);
  if (params) return params;
  params = new Map();
  for (const sp of allDefinitions()) {
    if (!sp.code || !sp.type || UNSUPPORTED.has(sp.code)) continue;
    if (!sp.base?.some((b) => b === resourceType || GENERIC_BASES.has(b))) continue;
    if (resourceType === 'Resource' && !sp.base.some((b) => GENERIC_BASES.has(b))) continue;
    const branches = BUILT_IN.has(sp.code) ? [] : splitBranches(sp.expression ?? '').filter((b) => appliesTo(b, resourceType));
    if (!BUILT_IN.has(sp.code) && branches.length === 0 && resourceType !== 'Resource') continue;
    const evaluators = branches.map((b) => compilePath(resourceType, b));
    params.set(sp.code, {
      code: sp.code,
      type: sp.type,
      definition: sp,
      evaluators,
      branches,
      singleValued: evaluators.length === 1 && evaluators[0]?.singleValued === true,
      targets: sp.target ?? [],
      components: (sp.component ?? []).flatMap((c) => {
        const type = c.definition ? definitionByUrl(c.definition)?.type : undefined;
        return type && c.expression ? [{ type, evaluate: compileRelative(c.expression) }] : [];
      }),
    });
  }
  byType.set(resourceType, params);
  return params;
}

/** Splits a union expression on top-level `|` (not inside parentheses or quotes). */
function splitBranches(expression: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === "'" && expression[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === '|') {
      branches.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  branches.push(expression.slice(start).trim());
  return branches.filter(Boolean);
}

function appliesTo(branch: string, resourceType: string): boolean {
  const root = /^\(*([A-Za-z]+)/.exec(branch)?.[1];
  return root === resourceType || (root !== undefined && GENERIC_BASES.has(root));
}

/** Types whose values can be ordered. */
export const SORTABLE_TYPES: ReadonlySet<ParamType> = new Set(['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri']);

/** The codes of a type's reference parameters (what `_include=Type:*` follows). */
export function referenceParams(type: string): string[] {
  return [...searchParamsFor(type).values()].filter((p) => p.type === 'reference').map((p) => p.code);
}
