import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.js';
import { isJsonObject } from './json-value.js';

/** JSON Patch (RFC 6902) with JSON Pointers (RFC 6901). */

type JsonObject = Record<string, unknown>;

interface Pointer {
  /** As written in the patch, for error details. */
  readonly text: string;
  readonly tokens: readonly string[];
}

type Operation =
  | { op: 'add' | 'replace' | 'test'; path: Pointer; value: unknown }
  | { op: 'remove'; path: Pointer }
  | { op: 'move' | 'copy'; path: Pointer; from: Pointer };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
/** RFC 6901 array indices are decimal without leading zeros. */
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Applies a JSON Patch document to a copy of `resource`. The whole document is validated before
 * anything is applied, and the first failing operation aborts the patch, so callers see either
 * every change or an error.
 */
export function applyJsonPatch(resource: Resource, patch: unknown): Resource {
  const operations = readOperations(patch);
  let document: unknown = structuredClone(resource);
  operations.forEach((operation, n) => {
    document = applyOperation(document, operation, `[${n}]`);
  });
  if (!isJsonObject(document)) {
    throw new FhirError('patch.failed', { detail: 'the patched document is no longer a JSON object' });
  }
  return document as unknown as Resource;
}

function readOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    throw new FhirError('patch.invalid', { detail: 'a JSON Patch document must be an array of operations' });
  }
  return patch.map((entry: unknown, n) => readOperation(entry, `[${n}]`));
}

function readOperation(entry: unknown, at: string): Operation {
  const invalid = (detail: string) => new FhirError('patch.invalid', { detail }, at);
  if (!isJsonObject(entry)) throw invalid('an operation must be a JSON object');
  const { op } = entry;
  if (typeof op !== 'string' || !OPS.has(op)) throw invalid(`unknown op ${JSON.stringify(op ?? null)}`);
  const path = readPointer(entry, 'path', at);
  switch (op) {
    case 'remove':
      return { op, path };
    case 'move':
    case 'copy': {
      const from = readPointer(entry, 'from', at);
      // RFC 6902 §4.4: a location cannot be moved into one of its own children.
      if (op === 'move' && isProperPrefix(from.tokens, path.tokens)) {
        throw invalid(`"from" ${quote(from.text)} is a parent of "path" ${quote(path.text)}`);
      }
      return { op, path, from };
    }
    default:
      if (!Object.hasOwn(entry, 'value')) throw invalid(`"${op}" needs a "value"`);
      return { op: op as 'add' | 'replace' | 'test', path, value: entry['value'] };
  }
}

function readPointer(entry: JsonObject, member: 'path' | 'from', at: string): Pointer {
  const text = entry[member];
  if (typeof text !== 'string') {
    throw new FhirError('patch.invalid', { detail: `"${member}" must be a JSON Pointer string` }, at);
  }
  if (text !== '' && !text.startsWith('/')) {
    throw new FhirError('patch.invalid', { detail: `"${member}" ${quote(text)} must be empty or start with "/"` }, at);
  }
  if (/~(?![01])/.test(text)) {
    throw new FhirError('patch.invalid', { detail: `"${member}" ${quote(text)} has a "~" not followed by 0 or 1` }, at);
  }
  // "~1" is decoded before "~0" so that "~01" yields the literal "~1" (RFC 6901 §4).
  const tokens = text === '' ? [] : text.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
  return { text, tokens };
}

function applyOperation(document: unknown, operation: Operation, at: string): unknown {
  switch (operation.op) {
    case 'add':
      return add(document, operation.path, structuredClone(operation.value), at);
    case 'remove':
      remove(document, operation.path, at);
      return document;
    case 'replace':
      return replace(document, operation.path, structuredClone(operation.value), at);
    case 'move': {
      const value = get(document, operation.from, at);
      if (operation.from.text === operation.path.text) return document;
      remove(document, operation.from, at);
      return add(document, operation.path, value, at);
    }
    case 'copy':
      return add(document, operation.path, structuredClone(get(document, operation.from, at)), at);
    case 'test': {
      const found = lookup(document, operation.path);
      if (!found.exists) throw new FhirError('patch.test-failed', { detail: `${quote(operation.path.text)} does not exist` }, at);
      if (!jsonEquals(found.value, operation.value)) {
        throw new FhirError('patch.test-failed', { detail: `the value at ${quote(operation.path.text)} is not ${JSON.stringify(operation.value)}` }, at);
      }
      return document;
    }
  }
}

/** Returns the new document: adding at the root ("") replaces the whole document. */
function add(document: unknown, path: Pointer, value: unknown, at: string): unknown {
  const slot = parentOf(document, path, at);
  if (!slot) return value;
  const { parent, last } = slot;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : arrayIndex(last, path, at);
    if (index > parent.length) throw failed(`index ${index} is out of range at ${quote(path.text)}`, at);
    parent.splice(index, 0, value);
  } else {
    setMember(parent, last, value);
  }
  return document;
}

function remove(document: unknown, path: Pointer, at: string): void {
  const slot = parentOf(document, path, at);
  if (!slot) throw failed('the whole document cannot be removed', at);
  const { parent, last } = slot;
  if (Array.isArray(parent)) parent.splice(existingIndex(parent, last, path, at), 1);
  else delete parent[existingMember(parent, last, path, at)];
}

/** Replaces in place, so an object member keeps its position. */
function replace(document: unknown, path: Pointer, value: unknown, at: string): unknown {
  const slot = parentOf(document, path, at);
  if (!slot) return value;
  const { parent, last } = slot;
  if (Array.isArray(parent)) parent[existingIndex(parent, last, path, at)] = value;
  else setMember(parent, existingMember(parent, last, path, at), value);
  return document;
}

/** The container holding the target of `path` and the target's key; undefined when `path` is the root. */
function parentOf(document: unknown, path: Pointer, at: string): { parent: unknown[] | JsonObject; last: string } | undefined {
  const last = path.tokens.at(-1);
  if (last === undefined) return undefined;
  const parent = get(document, { text: path.text, tokens: path.tokens.slice(0, -1) }, at, path.text);
  if (!Array.isArray(parent) && !isJsonObject(parent)) {
    throw failed(`the parent of ${quote(path.text)} is not an object or array`, at);
  }
  return { parent, last };
}

function existingIndex(list: unknown[], token: string, path: Pointer, at: string): number {
  const index = arrayIndex(token, path, at);
  if (index >= list.length) throw failed(`index ${index} is out of range at ${quote(path.text)}`, at);
  return index;
}

function existingMember(object: JsonObject, key: string, path: Pointer, at: string): string {
  if (!Object.hasOwn(object, key)) throw failed(`${quote(path.text)} does not exist`, at);
  return key;
}

/** The value at `pointer`, or a `patch.failed` naming `reported` (the operation's own path when resolving its parent). */
function get(document: unknown, pointer: Pointer, at: string, reported = pointer.text): unknown {
  const found = lookup(document, pointer);
  if (!found.exists) throw failed(`${quote(reported)} does not exist`, at);
  return found.value;
}

function lookup(document: unknown, pointer: Pointer): { exists: boolean; value?: unknown } {
  let current = document;
  for (const token of pointer.tokens) {
    if (Array.isArray(current)) {
      if (!ARRAY_INDEX.test(token) || Number(token) >= current.length) return { exists: false };
      current = current[Number(token)];
    } else if (isJsonObject(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      return { exists: false };
    }
  }
  return { exists: true, value: current };
}

/** "-" (past the end) is not an index: only `add` accepts it, before calling this. */
function arrayIndex(token: string, path: Pointer, at: string): number {
  if (!ARRAY_INDEX.test(token)) throw failed(`${quote(token)} is not a valid array index in ${quote(path.text)}`, at);
  return Number(token);
}

/** Defines rather than assigns, so a member named "__proto__" stays a plain member instead of replacing the prototype. */
function setMember(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** RFC 6902 §4.6 equality: same JSON type and value, objects compared member-wise regardless of order. */
function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEquals(item, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEquals(a[k], b[k]));
  }
  return false;
}

function isProperPrefix(prefix: readonly string[], tokens: readonly string[]): boolean {
  return prefix.length < tokens.length && prefix.every((t, i) => t === tokens[i]);
}

function failed(detail: string, at: string): FhirError {
  return new FhirError('patch.failed', { detail }, at);
}

function quote(text: string): string {
  return JSON.stringify(text);
}
