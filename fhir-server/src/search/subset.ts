import { capitalize, tryGetDataType } from '@medplum/core';
import { loadR4 } from '../definitions/r4.js';
import { FhirError } from '../errors/fhir-error.js';

export type Summary = 'true' | 'text' | 'data' | 'false';

export interface SubsetOptions {
  summary?: Summary;
  elements?: string[];
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' } as const;

/** What the R4 definition of one resource type says about its top-level elements. */
interface TypePlan {
  /** JSON property → element name: `valueQuantity` and `_valueString` → `value`, `_birthDate` → `birthDate`. */
  readonly elementOf: ReadonlyMap<string, string>;
  /** Elements marked isSummary (id, meta and implicitRules among them). */
  readonly summary: ReadonlySet<string>;
  /** Elements with min ≥ 1. */
  readonly mandatory: ReadonlySet<string>;
}

/** Elements every subset keeps: without them the result is no longer an identifiable version. */
const IDENTITY = new Set(['id', 'meta']);

const plans = new Map<string, TypePlan>();

function planOf(resourceType: string): TypePlan {
  let plan = plans.get(resourceType);
  if (plan) return plan;
  loadR4();
  // An unknown type still keeps its Resource elements (id, meta…) rather than losing everything.
  const schema = tryGetDataType(resourceType) ?? tryGetDataType('Resource');
  const elementOf = new Map<string, string>();
  for (const [path, definition] of Object.entries(schema?.elements ?? {})) {
    const choice = path.endsWith('[x]');
    const name = choice ? path.slice(0, -3) : path;
    const keys = choice ? definition.type.map((t) => name + capitalize(t.code)) : [name];
    for (const key of keys) {
      elementOf.set(key, name);
      elementOf.set(`_${key}`, name);
    }
  }
  plan = { elementOf, summary: schema?.summaryProperties ?? new Set(), mandatory: schema?.mandatoryProperties ?? new Set() };
  plans.set(resourceType, plan);
  return plan;
}

/**
 * A copy of the resource reduced per FHIR R4 _summary / _elements rules, tagged SUBSETTED (system
 * http://terminology.hl7.org/CodeSystem/v3-ObservationValue, code SUBSETTED) when anything was
 * removed; undefined options → the resource unchanged. The copy is shallow (kept elements are shared
 * with the input), and when nothing is removed the input itself is returned, so that the common
 * case allocates nothing. Given both, an element is kept only if each of _summary and _elements keeps it.
 */
export function subsetResource(resource: Record<string, unknown>, options: SubsetOptions): Record<string, unknown> {
  const { summary, elements } = options;
  if ((summary === undefined || summary === 'false') && elements === undefined) return resource;
  const plan = planOf(String(resource.resourceType));
  const out: Record<string, unknown> = {};
  let removed = false;
  for (const key of Object.keys(resource)) {
    if (key === 'resourceType' || keeps(plan, plan.elementOf.get(key), summary, elements)) out[key] = resource[key];
    else removed = true;
  }
  if (!removed) return resource;
  out.meta = tagged(resource.meta);
  return out;
}

/** `element` is undefined for a property the definition does not have. */
function keeps(plan: TypePlan, element: string | undefined, summary: Summary | undefined, elements: string[] | undefined): boolean {
  switch (summary) {
    case 'true':
      if (element === undefined || !plan.summary.has(element)) return false;
      break;
    case 'text':
      if (element === undefined || !(element === 'text' || IDENTITY.has(element) || plan.mandatory.has(element))) return false;
      break;
    case 'data':
      if (element === 'text') return false;
      break;
    default:
      break;
  }
  if (elements === undefined) return true;
  // Mandatory elements: the spec says servers SHOULD return them whether requested or not.
  return element !== undefined && (IDENTITY.has(element) || plan.mandatory.has(element) || elements.includes(element));
}

function tagged(meta: unknown): Record<string, unknown> {
  const base = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : {};
  const tags = Array.isArray(base.tag) ? (base.tag as { system?: unknown; code?: unknown }[]) : [];
  if (tags.some((t) => t.system === SUBSETTED.system && t.code === SUBSETTED.code)) return base;
  return { ...base, tag: [...tags, { ...SUBSETTED }] };
}

/** R4 `_elements` names top-level elements only; a path like `name.family` is refused rather than silently widened or dropped. */
const ELEMENT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Reads the raw `_summary` and `_elements` query values. `_summary=count` asks for no entries at
 * all, which the search itself handles; it leaves nothing to subset here.
 */
export function parseSubsetOptions(summary: string | undefined, elements: string | undefined): SubsetOptions {
  const options: SubsetOptions = {};
  if (summary !== undefined && summary !== 'count') {
    if (summary !== 'true' && summary !== 'text' && summary !== 'data' && summary !== 'false') {
      throw new FhirError('search.param-invalid', { param: '_summary', value: summary });
    }
    options.summary = summary;
  }
  if (elements !== undefined) {
    const names = elements.split(',').map((name) => name.trim());
    if (!names.every((name) => ELEMENT_NAME.test(name))) throw new FhirError('search.param-invalid', { param: '_elements', value: elements });
    options.elements = names;
  }
  return options;
}
