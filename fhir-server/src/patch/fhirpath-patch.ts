import type { Atom } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { loadR4 } from '../definitions/r4.js';
import { FhirError } from '../errors/fhir-error.js';
import { buildValue, elementSlot, suffixOf } from './fhirpath-elements.js';
import { locate, type Located, type Place } from './fhirpath-locate.js';
import { messageOf, readOperations, type FhirPathOperation, type ListPath } from './fhirpath-operations.js';
import { isJsonObject } from './json-value.js';

type JsonObject = Record<string, unknown>;

/**
 * Applies a FHIRPath Patch (a Parameters resource, http://hl7.org/fhir/R4/fhirpatch.html) to a
 * copy of `resource`. The Parameters are checked in full first; operations then run in order and
 * the first failure aborts the patch, so callers see either every change or an error.
 */
export function applyFhirPathPatch(resource: Resource, parameters: unknown): Resource {
  const operations = readOperations(parameters);
  loadR4();
  const draft = structuredClone(resource);
  for (const operation of operations) apply(draft, operation);
  return draft;
}

function apply(draft: Resource, op: FhirPathOperation): void {
  switch (op.type) {
    case 'add': {
      const target = single(find(draft, op.path, op), op);
      const owner = objectAt(draft, target, op);
      const slot = elementSlot(target.typed.type, op.name, suffixOf(op.value), op.at);
      const value = buildValue(op.value, slot.type, op.at);
      if (slot.isArray ?? Array.isArray(owner[slot.key])) {
        insertAt(owner, slot.key, listAt(owner, slot.key, op).length, value);
      } else if (slot.keys.some((key) => owner[key] !== undefined || owner[`_${key}`] !== undefined)) {
        throw failed(`${op.pathText} already has a "${slot.base}"; use replace to change it`, op);
      } else {
        owner[slot.key] = value;
      }
      return;
    }
    case 'insert': {
      const { owner, key, type } = listOwner(draft, op.list, suffixOf(op.value), op);
      const length = listAt(owner, key, op).length;
      if (op.index > length) throw failed(`index ${op.index} is beyond the ${length} item(s) of ${op.pathText}`, op);
      insertAt(owner, key, op.index, buildValue(op.value, type, op.at));
      return;
    }
    case 'delete': {
      const found = find(draft, op.path, op);
      // Deleting something that is not there already has the requested outcome.
      if (found.length === 0) return;
      removeAt(placeOf(draft, single(found, op), op));
      return;
    }
    case 'replace': {
      const place = placeOf(draft, single(find(draft, op.path, op), op), op);
      const current = elementSlot(place.parentType, place.key, undefined, op.at);
      // A choice element takes the type of its new value, which may change its key (valueString → valueQuantity).
      const slot = op.value.kind === 'data' && current.base !== current.key
        ? elementSlot(place.parentType, current.base, op.value.suffix, op.at)
        : current;
      setAt(place, slot.key, buildValue(op.value, slot.type, op.at));
      return;
    }
    case 'move': {
      const { owner, key } = listOwner(draft, op.list, undefined, op);
      const length = listAt(owner, key, op).length;
      for (const index of [op.source, op.destination]) {
        if (index >= length) throw failed(`index ${index} is beyond the ${length} item(s) of ${op.pathText}`, op);
      }
      moveWithin(owner, key, op.source, op.destination);
      return;
    }
  }
}

function find(draft: Resource, path: Atom | undefined, op: FhirPathOperation): Located[] {
  try {
    return locate(draft, path);
  } catch (error) {
    throw failed(`path ${op.pathText} could not be evaluated: ${messageOf(error)}`, op);
  }
}

/** The spec requires every path to select a single element (delete may also select none). */
function single(found: Located[], op: FhirPathOperation): Located {
  const [first, ...rest] = found;
  if (!first) throw failed(`path ${op.pathText} selects nothing`, op);
  if (rest.length > 0) throw failed(`path ${op.pathText} selects ${found.length} elements, not one`, op);
  return first;
}

function placeOf(draft: Resource, item: Located, op: FhirPathOperation): Place {
  if (item.place) return item.place;
  throw failed(item.typed.value === draft
    ? `path ${op.pathText} selects the resource itself, which cannot be the target of ${op.type}`
    : `path ${op.pathText} selects a computed value, not an element stored in the resource`, op);
}

/** The stored object `item` refers to: the resource itself or a complex element, never a primitive. */
function objectAt(draft: Resource, item: Located, op: FhirPathOperation): JsonObject {
  const value = item.place ? storedAt(item.place) : item.typed.value === draft ? draft : undefined;
  if (!isJsonObject(value)) throw failed(`path ${op.pathText} does not select a complex element of the resource`, op);
  return value;
}

/** The single owner of the list a path names, and how the list is stored. */
function listOwner(draft: Resource, list: ListPath, suffix: string | undefined, op: FhirPathOperation): { owner: JsonObject; key: string; type: string | undefined } {
  const owner = single(find(draft, list.owner, op), op);
  const slot = elementSlot(owner.typed.type, list.name, suffix, op.at);
  if (slot.isArray === false) throw failed(`${op.pathText} is not a list`, op);
  return { owner: objectAt(draft, owner, op), key: slot.key, type: slot.type };
}

function storedAt(place: Place): unknown {
  const value = place.parent[place.key];
  if (place.index === undefined) return value;
  return Array.isArray(value) ? (value as unknown[])[place.index] : undefined;
}

/** The list stored under `key`, empty when absent. */
function listAt(owner: JsonObject, key: string, op: FhirPathOperation): unknown[] {
  const value = owner[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw failed(`${op.pathText} holds a single value, not a list`, op);
  return value;
}

/*
 * Primitive values keep their id/extensions in a parallel `_key` list (FHIR JSON), whose entries
 * must stay aligned with the values; every list change below is mirrored there.
 */

function insertAt(owner: JsonObject, key: string, index: number, value: unknown): void {
  const list = owner[key];
  if (Array.isArray(list)) list.splice(index, 0, value);
  else owner[key] = [value];
  const extras = owner[`_${key}`];
  if (Array.isArray(extras)) extras.splice(index, 0, null);
}

function removeAt(place: Place): void {
  const { parent, key, index } = place;
  for (const name of [key, `_${key}`]) {
    const value = parent[name];
    if (index === undefined || !Array.isArray(value)) delete parent[name];
    else value.splice(index, 1);
  }
  tidy(parent, key);
}

/** Replaces the whole element at `place`, extensions included; `key` differs from `place.key` when a choice element changes type. */
function setAt(place: Place, key: string, value: unknown): void {
  const { parent, index } = place;
  if (index === undefined) {
    for (const name of [place.key, `_${place.key}`, `_${key}`]) delete parent[name];
    parent[key] = value;
    return;
  }
  const extras = parent[`_${key}`];
  if (!Array.isArray(parent[key])) parent[key] = Array.isArray(extras) ? extras.map(() => null) : [];
  (parent[key] as unknown[])[index] = value;
  if (Array.isArray(extras)) extras[index] = null;
  tidy(parent, key);
}

function moveWithin(owner: JsonObject, key: string, from: number, to: number): void {
  for (const name of [key, `_${key}`]) {
    const list = owner[name];
    if (!Array.isArray(list)) continue;
    const [item] = list.splice(from, 1);
    list.splice(to, 0, item ?? null);
  }
}

/** Drops an emptied list and an extension list left with nothing but nulls. */
function tidy(parent: JsonObject, key: string): void {
  const list = parent[key];
  if (Array.isArray(list) && list.length === 0) delete parent[key];
  const extras = parent[`_${key}`];
  if (Array.isArray(extras) && extras.every((e) => e === null)) delete parent[`_${key}`];
}

function failed(detail: string, op: FhirPathOperation): FhirError {
  return new FhirError('patch.failed', { detail }, op.at);
}
