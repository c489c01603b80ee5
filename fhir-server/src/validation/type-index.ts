import { capitalize, isPrimitiveType, tryGetDataType } from '@medplum/core';
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
}

export type TypeIndex = ReadonlyMap<string, Property>;

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
  const index = new Map<string, Property>();
  for (const [name, element] of Object.entries(schema.elements)) {
    const isChoice = name.endsWith('[x]');
    const base = isChoice ? name.slice(0, -3) : name;
    const isArray = !!element.isArray;
    const binding = element.binding?.strength === 'required' ? element.binding.valueSet?.split('|')[0] : undefined;
    for (const { code, targetProfile } of element.type) {
      const key = isChoice ? base + capitalize(code) : base;
      const kind = kindOf(code);
      const targetTypes = code === 'Reference' ? allowedTargetTypes(targetProfile) : undefined;
      index.set(key, {
        element: name,
        isChoice,
        isArray,
        type: code,
        kind,
        ...(binding && BINDABLE.has(code) ? { requiredValueSet: binding } : {}),
        ...(targetTypes ? { targetTypes } : {}),
      });
      if (kind === 'primitive') index.set(`_${key}`, { element: name, isChoice, isArray, type: 'Element', kind: 'primitive-extension' });
    }
  }
  return index;
}

function kindOf(code: string): Property['kind'] {
  if (isPrimitiveType(code)) return 'primitive';
  return code === 'Resource' || tryGetDataType(code)?.kind === 'resource' ? 'resource' : 'complex';
}
