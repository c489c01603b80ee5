import { capitalize, isPrimitiveType, tryGetDataType } from '@medplum/core';
import { invariantsOf, type Invariant } from './invariants.js';
import { allowedTargetTypes } from './references.js';

/** One JSON property name of a type, resolved against the R4 definitions. */
export interface Property {
  /** The element's name in the definition (`value[x]` for `valueQuantity`, `birthDate` for `_birthDate`). */
  readonly element: string;
  readonly isChoice: boolean;
  readonly isArray: boolean;
  /** The type the JSON value has under this property name (`Element` for `_birthDate`). */
  readonly type: string;
  readonly kind: 'primitive' | 'complex' | 'resource' | 'primitive-extension';
  /** Value set URL (without version) of a required binding that can be checked on this type. */
  readonly requiredValueSet?: string;
  /** Resource types a Reference may point at; absent when any is allowed. */
  readonly targetTypes?: readonly string[];
  /** The element's invariants, checked on each of its values. */
  readonly invariants: readonly Invariant[];
}

/** An element with min ≥ 1. */
export interface RequiredElement {
  readonly element: string;
  /** The JSON properties that each make it present (every type of a choice, `_name` of a primitive). */
  readonly keys: readonly string[];
}

export interface TypeIndex {
  /** By JSON property name. */
  readonly properties: ReadonlyMap<string, Property>;
  readonly required: readonly RequiredElement[];
  /** By the name FHIRPath reads an element by: its JSON properties (`value` → `valueQuantity`, `_valueString`…). */
  readonly keysByName: ReadonlyMap<string, readonly string[]>;
  /**
   * The type's own invariants, for resource types only: a data type's (per-1, qty-3…) are not
   * checked where the type is used, as they never were; a backbone element's are its element's.
   */
  readonly invariants: readonly Invariant[];
}

const BINDABLE = new Set(['code', 'Coding', 'CodeableConcept']);

const indexes = new Map<string, TypeIndex | null>();

/**
 * The JSON property names of a data type or resource type — choice elements expanded to one
 * name per type, `_name` for primitive extensions — so that a walk over a resource costs one map
 * lookup per property it actually has, instead of a pass over every element of the definition.
 */
export function typeIndex(type: string): TypeIndex | undefined {
  let index = indexes.get(type);
  if (index === undefined) {
    index = buildIndex(type);
    indexes.set(type, index);
  }
  return index ?? undefined;
}

function buildIndex(type: string): TypeIndex | null {
  const schema = tryGetDataType(type);
  if (!schema) return null;
  const properties = new Map<string, Property>();
  const required: RequiredElement[] = [];
  const keysByName = new Map<string, readonly string[]>();
  for (const [element, definition] of Object.entries(schema.elements)) {
    const isChoice = element.endsWith('[x]');
    const name = isChoice ? element.slice(0, -3) : element;
    const isArray = !!definition.isArray;
    const binding = definition.binding?.strength === 'required' ? definition.binding.valueSet?.split('|')[0] : undefined;
    const invariants = invariantsOf(definition.constraints);
    const keys: string[] = [];
    for (const { code, targetProfile } of definition.type) {
      const key = isChoice ? name + capitalize(code) : name;
      const kind = kindOf(code);
      const targetTypes = code === 'Reference' ? allowedTargetTypes(targetProfile) : undefined;
      properties.set(key, {
        element,
        isChoice,
        isArray,
        type: code,
        kind,
        ...(binding && BINDABLE.has(code) ? { requiredValueSet: binding } : {}),
        ...(targetTypes ? { targetTypes } : {}),
        invariants,
      });
      keys.push(key);
      if (kind === 'primitive') {
        properties.set(`_${key}`, { element, isChoice, isArray, type: 'Element', kind: 'primitive-extension', invariants: [] });
        keys.push(`_${key}`);
      }
    }
    keysByName.set(name, keys);
    if (definition.min >= 1) required.push({ element, keys });
  }
  return { properties, required, keysByName, invariants: schema.kind === 'resource' ? invariantsOf(schema.constraints) : [] };
}

function kindOf(code: string): Property['kind'] {
  if (isPrimitiveType(code)) return 'primitive';
  return code === 'Resource' || tryGetDataType(code)?.kind === 'resource' ? 'resource' : 'complex';
}
