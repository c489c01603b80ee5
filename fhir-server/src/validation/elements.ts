import { toTypedValue } from '@medplum/core';
import { isKnownResourceType } from '../definitions/r4.js';
import type { IssueInput } from '../errors/fhir-error.js';
import { bindingViolation } from './bindings.js';
import { ElementPath } from './element-path.js';
import { firstFailed, type Invariant, type InvariantScope } from './invariants.js';
import { isEmptyJson, isObject } from './json.js';
import { primitiveIssue } from './primitive-formats.js';
import { isValidId, parseReference } from './references.js';
import {
  arrayExpected,
  badPrimitiveExtension,
  choiceConflict,
  constraintFailed,
  emptyValue,
  missingElement,
  notAnObject,
  notAPrimitive,
  nullValue,
  singleValueExpected,
  unknownElement,
  type StructureMessage,
} from './structure-messages.js';
import { typeIndex, type Property, type TypeIndex } from './type-index.js';

export interface ElementCheckOptions {
  /** `Type?search` references are resolved by the transaction processor, so only it allows them. */
  allowConditionalReferences?: boolean;
}

/** What `#id` references inside one container (a resource and its contained resources) can reach. */
interface Container {
  readonly resource: Record<string, unknown>;
  /** Contained resource id → its resourceType. */
  readonly contained: ReadonlyMap<string, string>;
  /** Inside a contained resource, where `#` alone refers to the container. */
  readonly inContained: boolean;
}

/** The resource the walk is in. */
interface Frame {
  readonly container: Container;
  readonly scope: InvariantScope;
}

/**
 * Every problem of a resource against the R4 base definitions, in one walk over the properties
 * it actually has (never over every element a definition could have): unknown elements, JSON
 * types, single values and arrays, required elements of each object present, primitive formats,
 * one type per choice element, primitive extensions, invariants, required code bindings,
 * reference format and target types, and nested resources (contained, Bundle entries,
 * Parameters) by their own type.
 */
export function elementIssues(resource: Record<string, unknown>, type: string, options: ElementCheckOptions): IssueInput[] {
  const walker = new Walker(options);
  walker.resource(resource, type, new ElementPath(undefined, type), undefined);
  return [...walker.structure, ...walker.content];
}

class Walker {
  /** Shape, format and invariant problems: listed first, being the first to fix. */
  readonly structure: IssueInput[] = [];
  /** Problems of content: ids, codes, references, types of nested resources. */
  readonly content: IssueInput[] = [];

  constructor(private readonly options: ElementCheckOptions) {}

  /** `container` is given for a contained resource (it shares its container's ids); otherwise it starts its own. */
  resource(resource: Record<string, unknown>, type: string, path: ElementPath, container: Container | undefined): void {
    const index = typeIndex(type);
    if (!index) return;
    if (typeof resource.id === 'string' && !isValidId(resource.id)) {
      this.content.push({ messageId: 'resource.id-invalid', params: { id: resource.id }, expression: path.child('id').toString() });
    }
    const self = toTypedValue(resource);
    const frame: Frame = {
      container: container ?? { resource, contained: containedIds(resource), inContained: false },
      scope: { resource: self, rootResource: container ? toTypedValue(container.resource) : self },
    };
    this.invariants(index.invariants, type, resource, index, path, frame);
    this.object(resource, index, path, frame, true);
  }

  private object(object: Record<string, unknown>, index: TypeIndex, path: ElementPath, frame: Frame, isResource: boolean): void {
    let choices: Map<string, string> | undefined;
    for (const key in object) {
      const value = object[key];
      // Absent, as in the JSON that will be stored.
      if (value === undefined) continue;
      const property = index.properties.get(key);
      if (!property) {
        if (!isResource || key !== 'resourceType') this.structureIssue(path.child(key), unknownElement(key));
        continue;
      }
      if (property.isChoice) {
        const name = key.startsWith('_') ? key.slice(1) : key;
        choices ??= new Map();
        const first = choices.get(property.element);
        if (first === undefined) choices.set(property.element, name);
        else if (first !== name) this.structureIssue(path.child(key), choiceConflict(property.element, first, name));
      }
      if (property.kind === 'primitive-extension') {
        this.primitiveExtension(value, property, object[key.slice(1)], key, path, frame);
      } else if (Array.isArray(value) && value.length) {
        if (!property.isArray) this.structureIssue(path.child(key), singleValueExpected());
        // A repeating primitive has null where only its extension (`_name` at the same index) has content.
        const extensions = property.kind === 'primitive' ? object[`_${key}`] : undefined;
        for (let i = 0; i < value.length; i++) {
          if (value[i] === null && Array.isArray(extensions) && extensions[i] != null) continue;
          this.value(value[i], property, key, path.child(key, i), frame);
        }
      } else {
        this.value(value, property, key, path.child(key), frame, property.isArray);
      }
    }
    for (const { element, keys } of index.required) {
      if (!hasAny(object, keys)) this.structureIssue(path.child(element), missingElement());
    }
  }

  /** `lone`: a single value given for a repeating element, reported once the value is of the right kind (object or primitive). */
  private value(value: unknown, property: Property, key: string, path: ElementPath, frame: Frame, lone = false): void {
    if (value === null) return this.structureIssue(path, nullValue());
    if (isEmptyJson(value)) return this.structureIssue(path, emptyValue(value));
    if (property.requiredValueSet) {
      const violation = bindingViolation(value, property.type, property.requiredValueSet);
      if (violation) this.content.push({ ...violation, expression: path.toString() });
    }
    if (property.kind === 'primitive') {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return this.structureIssue(path, notAPrimitive(property.type, value));
      }
      if (lone) this.structureIssue(path, arrayExpected());
      const problem = primitiveIssue(value, property.type);
      if (problem) this.structureIssue(path, problem);
      this.invariants(property.invariants, property.type, value, undefined, path, frame);
      return;
    }
    if (!isObject(value)) return this.structureIssue(path, notAnObject(property.type, value));
    if (lone) this.structureIssue(path, arrayExpected());
    if (property.kind === 'resource') {
      // Checked by its own type; R4 sets no invariants on the elements that hold resources.
      this.nestedResource(value, path, key === 'contained' ? { ...frame.container, inContained: true } : undefined);
      return;
    }
    const index = typeIndex(property.type);
    if (!index) return;
    this.invariants(property.invariants, property.type, value, index, path, frame);
    if (property.type === 'Reference') this.reference(value, property, path, frame.container);
    this.object(value, index, path, frame, false);
  }

  /** `_name` beside a primitive `name`: an object, or for a repeating element an array of objects and nulls. */
  private primitiveExtension(value: unknown, property: Property, primitive: unknown, key: string, parent: ElementPath, frame: Frame): void {
    if (!property.isArray) return this.extensionObject(value, property, parent.child(key), frame);
    if (!Array.isArray(value) || !value.length) return this.structureIssue(parent.child(key), badPrimitiveExtension(true));
    for (let i = 0; i < value.length; i++) {
      if (value[i] !== null) this.extensionObject(value[i], property, parent.child(key, i), frame);
      // A null stands for "no extension here", beside a value that is there.
      else if (!Array.isArray(primitive) || primitive[i] == null) this.structureIssue(parent.child(key, i), nullValue());
    }
  }

  private extensionObject(value: unknown, property: Property, path: ElementPath, frame: Frame): void {
    const index = typeIndex(property.type);
    if (!isObject(value)) this.structureIssue(path, badPrimitiveExtension(property.isArray));
    else if (isEmptyJson(value)) this.structureIssue(path, emptyValue(value));
    else if (index) this.object(value, index, path, frame, false);
  }

  private nestedResource(resource: Record<string, unknown>, path: ElementPath, container: Container | undefined): void {
    const type = resource.resourceType;
    if (typeof type === 'string' && isKnownResourceType(type)) {
      this.resource(resource, type, path, container);
      return;
    }
    this.content.push(
      typeof type === 'string'
        ? { messageId: 'resource.type-unknown', params: { type }, expression: path.toString() }
        : { messageId: 'resource.missing-type', expression: path.toString() },
    );
  }

  /** The first of `invariants` the value fails; `index` is its type's when it is an object. */
  private invariants(invariants: readonly Invariant[], type: string, value: unknown, index: TypeIndex | undefined, path: ElementPath, frame: Frame): void {
    if (!invariants.length) return;
    const present = index && isObject(value) ? (names: readonly string[]) => holdsAnyOf(value, index, names) : undefined;
    const failed = firstFailed(invariants, { type, value }, frame.scope, present);
    if (failed) this.structureIssue(path, constraintFailed(failed.key, failed.description));
  }

  private reference(value: Record<string, unknown>, property: Property, path: ElementPath, container: Container): void {
    const reference = value.reference;
    if (typeof reference !== 'string') return;
    const parsed = parseReference(reference);
    let targetType: string | undefined;
    switch (parsed.kind) {
      case 'absolute':
        return;
      case 'relative':
        targetType = parsed.type;
        break;
      case 'conditional':
        if (!this.options.allowConditionalReferences) return this.badReference(reference, path);
        targetType = parsed.type;
        break;
      case 'contained':
        if (parsed.id === '') return container.inContained ? undefined : this.badReference(reference, path);
        targetType = container.contained.get(parsed.id);
        if (!targetType) return this.badReference(reference, path);
        break;
      case 'invalid':
        return this.badReference(reference, path);
    }
    const allowed = property.targetTypes;
    if (allowed && !allowed.includes(targetType)) {
      this.content.push({
        messageId: 'validation.reference-type',
        params: { reference, allowed: allowed.join(', ') },
        expression: path.child('reference').toString(),
      });
    }
  }

  private badReference(reference: string, path: ElementPath): void {
    this.content.push({ messageId: 'validation.reference-format', params: { reference }, expression: path.child('reference').toString() });
  }

  private structureIssue(path: ElementPath, message: StructureMessage): void {
    this.structure.push({
      messageId: 'validation.failed',
      params: { detail: message.en, zhDetail: message.zh },
      severity: 'error',
      code: message.code ?? 'structure',
      expression: path.toString(),
    });
  }
}

function hasAny(object: Record<string, unknown>, keys: readonly string[]): boolean {
  // A null is reported where it stands, and leaves the element absent.
  for (const key of keys) if (object[key] != null) return true;
  return false;
}

/** Whether the object holds an element FHIRPath reads by one of `names` (`value` reads `valueQuantity`). */
function holdsAnyOf(object: Record<string, unknown>, index: TypeIndex, names: readonly string[]): boolean {
  for (const name of names) {
    // A name that is no element of the type can still be a property, read as it is.
    if (hasAny(object, index.keysByName.get(name) ?? [name])) return true;
  }
  return false;
}

function containedIds(resource: Record<string, unknown>): ReadonlyMap<string, string> {
  const ids = new Map<string, string>();
  const contained = resource.contained;
  if (!Array.isArray(contained)) return ids;
  for (const entry of contained) {
    if (isObject(entry) && typeof entry.id === 'string' && typeof entry.resourceType === 'string') ids.set(entry.id, entry.resourceType);
  }
  return ids;
}
