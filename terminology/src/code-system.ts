import type { CodeSystem, CodeSystemConcept } from '@medplum/fhirtypes';
import type { ConceptDetails, ConceptProperty, ConceptStatus, Designation } from './model.js';
import { searchKeys, type SearchKeys } from './pinyin.js';

export interface IndexedConcept extends ConceptDetails {
  /** Lower-cased texts and pinyin forms an `$expand` filter matches against. */
  keys: SearchKeys;
}

/** A code system version with its concepts indexed by code, hierarchy and search keys. */
export interface IndexedCodeSystem {
  url: string;
  version?: string;
  name: string;
  resource: CodeSystem;
  concepts: Map<string, IndexedConcept>;
  /** Concepts in the order the code system lists them (expansions keep it). */
  ordered: IndexedConcept[];
  /** `complete` when every code is here; `fragment`/`example` content cannot refute a code. */
  complete: boolean;
}

const STATUS_PROPERTIES = new Set(['status', 'inactive', 'deprecated', 'retired']);

function statusOf(concept: CodeSystemConcept): ConceptStatus {
  for (const p of concept.property ?? []) {
    if (p.code === 'status' && p.valueCode) {
      if (p.valueCode === 'retired' || p.valueCode === 'inactive') return 'retired';
      if (p.valueCode === 'deprecated') return 'deprecated';
    }
    if (p.code === 'inactive' && p.valueBoolean === true) return 'retired';
    if (p.code === 'retired' && p.valueBoolean === true) return 'retired';
    if (p.code === 'deprecated' && (p.valueBoolean === true || p.valueDateTime)) return 'deprecated';
  }
  return 'active';
}

function propertyValue(p: NonNullable<CodeSystemConcept['property']>[number]): string | number | boolean | undefined {
  return p.valueCode ?? p.valueString ?? p.valueInteger ?? p.valueBoolean ?? p.valueDateTime ?? p.valueDecimal ?? p.valueCoding?.code;
}

export function indexCodeSystem(resource: CodeSystem): IndexedCodeSystem {
  const url = resource.url as string;
  const concepts = new Map<string, IndexedConcept>();
  const ordered: IndexedConcept[] = [];
  const parentLinks: [child: string, parent: string][] = [];
  const visit = (list: CodeSystemConcept[] | undefined, parent: string | undefined) => {
    for (const c of list ?? []) {
      if (!c.code) continue;
      const properties: ConceptProperty[] = [];
      for (const p of c.property ?? []) {
        const value = propertyValue(p);
        if (value === undefined) continue;
        if (p.code === 'parent' || p.code === 'subsumedBy') parentLinks.push([c.code, String(value)]);
        else if (!STATUS_PROPERTIES.has(p.code as string) || p.code === 'status') properties.push({ code: p.code as string, value });
      }
      const designations: Designation[] = (c.designation ?? [])
        .filter((d) => d.value)
        .map((d) => ({ ...(d.language ? { language: d.language } : {}), ...(d.use ? { use: { ...d.use } } : {}), value: d.value as string }));
      const concept: IndexedConcept = {
        code: c.code,
        ...(c.display ? { display: c.display } : {}),
        ...(c.definition ? { definition: c.definition } : {}),
        status: statusOf(c),
        designations,
        properties,
        parents: [],
        children: [],
        keys: searchKeys([c.display, ...designations.map((d) => d.value)]),
      };
      concepts.set(c.code, concept);
      ordered.push(concept);
      if (parent) parentLinks.push([c.code, parent]);
      visit(c.concept, c.code);
    }
  };
  visit(resource.concept, undefined);
  for (const [child, parent] of parentLinks) {
    const c = concepts.get(child);
    const p = concepts.get(parent);
    if (!c || !p || c.parents.includes(parent)) continue;
    c.parents.push(parent);
    p.children.push(child);
  }
  return {
    url,
    ...(resource.version ? { version: resource.version } : {}),
    name: resource.title ?? resource.name ?? url,
    resource,
    concepts,
    ordered,
    complete: resource.content === undefined || resource.content === 'complete',
  };
}

/** Whether `ancestor` is `code` or one of its ancestors (transitively). */
export function isA(cs: IndexedCodeSystem, code: string, ancestor: string): boolean {
  if (code === ancestor) return cs.concepts.has(code);
  const seen = new Set<string>();
  const stack = [...(cs.concepts.get(code)?.parents ?? [])];
  while (stack.length) {
    const next = stack.pop() as string;
    if (next === ancestor) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(cs.concepts.get(next)?.parents ?? []));
  }
  return false;
}

/** Every descendant of `code` (not `code` itself). */
export function descendants(cs: IndexedCodeSystem, code: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(cs.concepts.get(code)?.children ?? [])];
  while (stack.length) {
    const next = stack.pop() as string;
    if (out.has(next)) continue;
    out.add(next);
    stack.push(...(cs.concepts.get(next)?.children ?? []));
  }
  return out;
}
