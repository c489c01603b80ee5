import { tryGetDataType } from '@medplum/core';
import { FhirError } from '../errors/fhir-error.js';
import type { PatchValue } from './fhirpath-operations.js';

/** How an element of a FHIR type is stored in JSON, read from the R4 definitions. */
export interface ElementSlot {
  /** The JSON key, e.g. `valueQuantity` for `value[x]` holding a Quantity. */
  key: string;
  /** The element's name without a type suffix: `value` for `valueQuantity`, else the key. */
  base: string;
  /** Every key the element can be stored under: one per allowed type for a choice element. */
  keys: readonly string[];
  /** Undefined when the owner's type has no definition to ask. */
  isArray: boolean | undefined;
  /** The FHIR type of the element's values, when known. */
  type: string | undefined;
}

/**
 * Finds element `name` of `ownerType`. `suffix` is the `value[x]` type of the value about to be
 * written (e.g. `String`); it picks the JSON key of a choice element named by its base (`value`)
 * and must agree with the type of one named in full (`valueString`).
 */
export function elementSlot(ownerType: string, name: string, suffix: string | undefined, at: string): ElementSlot {
  const schema = tryGetDataType(ownerType);
  if (!schema) return untyped(name);
  const direct = schema.elements[name];
  if (direct) {
    const [only, ...others] = direct.type;
    return { key: name, base: name, keys: [name], isArray: direct.isArray === true, type: others.length === 0 ? only?.code : undefined };
  }
  for (const [path, element] of Object.entries(schema.elements)) {
    if (!path.endsWith('[x]')) continue;
    const base = path.slice(0, -3);
    if (!name.startsWith(base)) continue;
    const named = name === base ? suffix : name.slice(base.length);
    if (named === undefined) throw failed(`the choice element ${ownerType}.${name} needs a value[x] naming its type`, at);
    if (suffix !== undefined && suffix !== named) throw failed(`a ${suffix} value cannot be written to ${ownerType}.${name}`, at);
    const type = element.type.find((t) => capitalize(t.code) === named)?.code;
    if (type === undefined) {
      if (name === base) throw failed(`${ownerType}.${name}[x] does not allow the type ${named}`, at);
      continue;
    }
    return { key: base + named, base, keys: element.type.map((t) => base + capitalize(t.code)), isArray: false, type };
  }
  throw failed(`${ownerType} has no element "${name}"`, at);
}

/**
 * The JSON for a patch value that will be stored as FHIR type `type`. A value given as parts is
 * assembled using the type's definition, so a part for a repeating element (`HumanName.given`)
 * becomes a list even when only one is given.
 */
export function buildValue(value: PatchValue, type: string | undefined, at: string): unknown {
  if (value.kind === 'data') return structuredClone(value.json);
  // FHIR primitive type names start in lower case; they have no parts to assemble.
  if (type !== undefined && /^[a-z]/.test(type)) throw failed(`a ${type} value cannot be given as parts`, at);
  const collected = new Map<string, { slot: ElementSlot; values: unknown[] }>();
  for (const part of value.parts) {
    const slot = type === undefined ? untyped(part.name) : elementSlot(type, part.name, suffixOf(part.value), at);
    const entry = collected.get(slot.key) ?? { slot, values: [] };
    entry.values.push(buildValue(part.value, slot.type, at));
    collected.set(slot.key, entry);
  }
  const built: Record<string, unknown> = {};
  for (const [key, { slot, values }] of collected) {
    if (slot.isArray === false && values.length > 1) throw failed(`${type}.${slot.base} does not repeat, but was given ${values.length} times`, at);
    built[key] = slot.isArray === true || values.length > 1 ? values : values[0];
  }
  return built;
}

export function suffixOf(value: PatchValue): string | undefined {
  return value.kind === 'data' ? value.suffix : undefined;
}

function untyped(name: string): ElementSlot {
  return { key: name, base: name, keys: [name], isArray: undefined, type: undefined };
}

function capitalize(code: string): string {
  return code.charAt(0).toUpperCase() + code.slice(1);
}

function failed(detail: string, at: string): FhirError {
  return new FhirError('patch.failed', { detail }, at);
}
