import { isKnownResourceType } from '../definitions/r4.js';
import type { IssueInput } from '../errors/fhir-error.js';
import { bindingViolation } from './bindings.js';
import { ElementPath } from './element-path.js';
import { failedInvariants } from './invariants.js';
import { isEmptyJson, isObject } from './json.js';
import { isValidId, parseReference } from './references.js';
import {
  badPrimitiveExtension,
  choiceConflict,
  constraintFailed,
  emptyValue,
  notAnObject,
  notAPrimitive,
  unknownElement,
  type StructureMessage,
} from './structure-messages.js';
import { typeIndex, type Property } from './type-index.js';

export interface ElementCheckOptions {
  /** `Type?search` references are resolved by the transaction processor, so only it allows them. */
  allowConditionalReferences?: boolean;
}

/** A value the walk has reported and the structure check must not see (it would misreport or crash on it). */
export interface Mask {
  /** JSON keys and array indexes from the root. */
  keys: (string | number)[];
  expression: string;
  /** What the structure check sees instead, chosen to raise no issue outside `expression`; absent: nothing. */
  replacement?: unknown;
}

/** A valid resource of no consequence for its surroundings, in place of one of unknown type. */
const RESOURCE_STAND_IN = { resourceType: 'Basic', code: { text: 'stand-in' } };

export interface ElementCheckResult {
  issues: IssueInput[];
  masks: Mask[];
}

/** What `#id` references inside one container (a resource and its contained resources) can reach. */
interface Container {
  readonly resource: Record<string, unknown>;
  /** Contained resource id → its resourceType. */
  readonly contained: ReadonlyMap<string, string>;
  /** Inside a contained resource, where `#` alone refers to the container. */
  readonly inContained: boolean;
}

/**
 * The checks medplum's structure validation does not make, in one walk over the properties a
 * resource actually has: required code bindings, reference format and target types, ids and
 * types and invariants of nested resources (contained, Bundle entries, Parameters), one type
 * per choice element, and the JSON shapes medplum mishandles (objects expected, primitive
 * extensions, empty values).
 */
export function elementIssues(resource: Record<string, unknown>, type: string, options: ElementCheckOptions): ElementCheckResult {
  const walker = new Walker(options);
  walker.resource(resource, type, new ElementPath(undefined, type), undefined, false);
  return { issues: walker.issues, masks: walker.masks };
}

class Walker {
  readonly issues: IssueInput[] = [];
  readonly masks: Mask[] = [];

  constructor(private readonly options: ElementCheckOptions) {}

  /** `container` is given for a contained resource (it shares its container's ids); otherwise it starts its own. */
  resource(resource: Record<string, unknown>, type: string, path: ElementPath, container: Container | undefined, nested: boolean): void {
    if (typeof resource.id === 'string' && !isValidId(resource.id)) {
      this.issues.push({ messageId: 'resource.id-invalid', params: { id: resource.id }, expression: path.child('id').toString() });
    }
    if (nested) {
      for (const { key, description } of failedInvariants(resource, type, container?.resource)) {
        this.structureIssue(path, constraintFailed(key, description));
      }
    }
    this.object(resource, type, path, container ?? { resource, contained: containedIds(resource), inContained: false });
  }

  private object(object: Record<string, unknown>, type: string, path: ElementPath, container: Container): void {
    const index = typeIndex(type);
    if (!index) return;
    let choices: Map<string, string> | undefined;
    for (const key in object) {
      const property = index.get(key);
      if (!property) {
        // Other unknown properties are reported by the structure check, but medplum takes `_name`
        // for a primitive extension whenever `name` exists, and fails on it when `name` is not primitive.
        if (key.startsWith('_')) this.reject(path.child(key), unknownElement(key));
        continue;
      }
      if (property.isChoice) {
        const name = key.startsWith('_') ? key.slice(1) : key;
        choices ??= new Map();
        const first = choices.get(property.element);
        if (first === undefined) choices.set(property.element, name);
        else if (first !== name) this.structureIssue(path.child(key), choiceConflict(property.element, first, name));
      }
      const value = object[key];
      if (property.kind === 'primitive-extension') {
        this.primitiveExtension(value, property, key, path, container);
      } else if (Array.isArray(value) && value.length) {
        for (let i = 0; i < value.length; i++) this.value(value[i], property, key, path.child(key, i), container);
      } else {
        this.value(value, property, key, path.child(key), container);
      }
    }
  }

  private value(value: unknown, property: Property, key: string, path: ElementPath, container: Container): void {
    // Medplum reads most empty values as absent.
    if (isEmptyJson(value)) return this.reject(path, emptyValue(value));
    if (property.requiredValueSet) {
      const violation = bindingViolation(value, property.type, property.requiredValueSet);
      if (violation) this.issues.push({ ...violation, expression: path.toString() });
    }
    if (property.kind === 'primitive') {
      // Medplum would read an object as extensions of the primitive.
      if (typeof value === 'object' && value !== null) this.reject(path, notAPrimitive(property.type, value));
      return;
    }
    if (!isObject(value)) {
      // A null is reported by the structure check; anything else would be read as an object of characters there.
      if (value !== null) this.reject(path, notAnObject(property.type, value), property.kind === 'resource' ? RESOURCE_STAND_IN : {});
      return;
    }
    if (property.kind === 'resource') {
      this.nestedResource(value, path, key === 'contained' ? { ...container, inContained: true } : undefined);
      return;
    }
    if (property.type === 'Reference') this.reference(value, property, path, container);
    this.object(value, property.type, path, container);
  }

  /** `_name` beside a primitive `name`: an object, or for a repeating element an array of objects and nulls. */
  private primitiveExtension(value: unknown, property: Property, key: string, parent: ElementPath, container: Container): void {
    if (!property.isArray) return this.extensionObject(value, property, parent.child(key), container, undefined);
    if (!Array.isArray(value) || !value.length) return this.reject(parent.child(key), badPrimitiveExtension(true));
    value.forEach((item: unknown, i) => {
      if (item !== null) this.extensionObject(item, property, parent.child(key, i), container, null);
    });
  }

  private extensionObject(value: unknown, property: Property, path: ElementPath, container: Container, replacement: null | undefined): void {
    if (!isObject(value)) this.reject(path, badPrimitiveExtension(property.isArray), replacement);
    else if (isEmptyJson(value)) this.reject(path, emptyValue(value), replacement);
    else this.object(value, property.type, path, container);
  }

  private nestedResource(resource: Record<string, unknown>, path: ElementPath, container: Container | undefined): void {
    const type = resource.resourceType;
    if (typeof type === 'string' && isKnownResourceType(type)) {
      this.resource(resource, type, path, container, true);
      return;
    }
    // Medplum stops the whole validation at a resource type it does not know.
    this.mask(path, RESOURCE_STAND_IN);
    this.issues.push(
      typeof type === 'string'
        ? { messageId: 'resource.type-unknown', params: { type }, expression: path.toString() }
        : { messageId: 'resource.missing-type', expression: path.toString() },
    );
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
      this.issues.push({
        messageId: 'validation.reference-type',
        params: { reference, allowed: allowed.join(', ') },
        expression: path.child('reference').toString(),
      });
    }
  }

  private badReference(reference: string, path: ElementPath): void {
    this.issues.push({ messageId: 'validation.reference-format', params: { reference }, expression: path.child('reference').toString() });
  }

  private structureIssue(path: ElementPath, message: StructureMessage): void {
    this.issues.push({
      messageId: 'validation.failed',
      params: { detail: message.en, zhDetail: message.zh },
      code: message.code ?? 'structure',
      expression: path.toString(),
    });
  }

  /** A value whose shape is wrong: reported here and hidden from the structure check. */
  private reject(path: ElementPath, message: StructureMessage, replacement?: unknown): void {
    this.structureIssue(path, message);
    this.mask(path, replacement);
  }

  private mask(path: ElementPath, replacement?: unknown): void {
    this.masks.push({ keys: path.keys(), expression: path.toString(), ...(replacement === undefined ? {} : { replacement }) });
  }
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
