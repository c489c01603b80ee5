import { DotAtom, parseFhirPath, SymbolAtom, type Atom } from '@medplum/core';
import { FhirError } from '../errors/fhir-error.js';
import { isJsonObject } from './json-value.js';

/**
 * Reads a FHIRPath Patch Parameters resource (http://hl7.org/fhir/R4/fhirpatch.html) into checked
 * operations. Everything that can be judged without the target resource is judged here, so a
 * malformed patch is rejected as a whole before any operation runs.
 */

/** A value to write: a `value[x]` (or `resource`) taken as JSON, or a complex value spelled out as named parts. */
export type PatchValue =
  | { kind: 'data'; json: unknown; /** The `value[x]` suffix, e.g. `HumanName`, `String`. */ suffix: string | undefined }
  | { kind: 'parts'; parts: Array<{ name: string; value: PatchValue }> };

/** A path naming a list: `owner.name`, where a missing owner means the resource itself. */
export interface ListPath {
  owner: Atom | undefined;
  name: string;
}

interface Common {
  /** The operation's position, `Parameters.parameter[n]`, for error expressions. */
  at: string;
  pathText: string;
}

export type FhirPathOperation = Common &
  (
    | { type: 'add'; path: Atom; name: string; value: PatchValue }
    | { type: 'insert'; list: ListPath; index: number; value: PatchValue }
    | { type: 'delete'; path: Atom }
    | { type: 'replace'; path: Atom; value: PatchValue }
    | { type: 'move'; list: ListPath; source: number; destination: number }
  );

type OperationType = FhirPathOperation['type'];
const PART_NAMES = ['type', 'path', 'name', 'value', 'index', 'source', 'destination'] as const;
type PartName = (typeof PART_NAMES)[number];

/** The parts each type takes besides `type` and `path`; any other part is an error. */
const PARTS: Record<OperationType, readonly PartName[]> = {
  add: ['name', 'value'],
  insert: ['index', 'value'],
  delete: [],
  replace: ['value'],
  move: ['source', 'destination'],
};

/** Element names become object keys, so they must look like FHIR element names. */
const ELEMENT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export function readOperations(parameters: unknown): FhirPathOperation[] {
  if (!isJsonObject(parameters) || parameters['resourceType'] !== 'Parameters') {
    throw new FhirError('patch.invalid', { detail: 'a FHIRPath Patch must be a Parameters resource' });
  }
  const list = parameters['parameter'] ?? [];
  if (!Array.isArray(list)) throw new FhirError('patch.invalid', { detail: 'Parameters.parameter must be an array' }, 'Parameters.parameter');
  return list.map((parameter: unknown, n) => readOperation(parameter, `Parameters.parameter[${n}]`));
}

function readOperation(parameter: unknown, at: string): FhirPathOperation {
  const invalid = (detail: string) => new FhirError('patch.invalid', { detail }, at);
  if (!isJsonObject(parameter) || parameter['name'] !== 'operation') throw invalid('each parameter must be named "operation"');
  const parts = readParts(parameter, at);

  const type = stringPart(parts, 'type', at);
  if (!isOperationType(type)) throw invalid(`unknown operation type "${type}"`);
  const allowed = PARTS[type];
  for (const name of parts.keys()) {
    if (name !== 'type' && name !== 'path' && !allowed.includes(name)) throw invalid(`"${type}" takes no "${name}" part`);
  }

  const pathText = stringPart(parts, 'path', at);
  const path = parsePath(pathText, at);
  const common = { at, pathText };
  switch (type) {
    case 'add': {
      const name = stringPart(parts, 'name', at);
      if (!ELEMENT_NAME.test(name)) throw invalid(`"${name}" is not an element name`);
      return { ...common, type: 'add', path, name, value: valuePart(parts, at) };
    }
    case 'insert':
      return { ...common, type: 'insert', list: listPath(path, pathText, at), index: integerPart(parts, 'index', at), value: valuePart(parts, at) };
    case 'delete':
      return { ...common, type: 'delete', path };
    case 'replace':
      return { ...common, type: 'replace', path, value: valuePart(parts, at) };
    case 'move':
      return {
        ...common,
        type: 'move',
        list: listPath(path, pathText, at),
        source: integerPart(parts, 'source', at),
        destination: integerPart(parts, 'destination', at),
      };
  }
}

function readParts(parameter: Record<string, unknown>, at: string): Map<PartName, Record<string, unknown>> {
  const list = parameter['part'];
  if (!Array.isArray(list)) throw new FhirError('patch.invalid', { detail: 'an operation needs its parts' }, at);
  const parts = new Map<PartName, Record<string, unknown>>();
  for (const part of list as unknown[]) {
    const name = isJsonObject(part) ? part['name'] : undefined;
    if (!isJsonObject(part) || !isPartName(name)) {
      throw new FhirError('patch.invalid', { detail: `unknown part ${JSON.stringify(name ?? null)}` }, at);
    }
    if (parts.has(name)) throw new FhirError('patch.invalid', { detail: `the "${name}" part is repeated` }, at);
    parts.set(name, part);
  }
  return parts;
}

function isOperationType(type: string): type is OperationType {
  return Object.hasOwn(PARTS, type);
}

function isPartName(name: unknown): name is PartName {
  return (PART_NAMES as readonly unknown[]).includes(name);
}

function requiredPart(parts: Map<PartName, Record<string, unknown>>, name: PartName, at: string): Record<string, unknown> {
  const part = parts.get(name);
  if (!part) throw new FhirError('patch.invalid', { detail: `the "${name}" part is missing` }, at);
  return part;
}

/** The spec types `type` as code and `path`/`name` as string; both spellings carry the same JSON string, so either is accepted. */
function stringPart(parts: Map<PartName, Record<string, unknown>>, name: PartName, at: string): string {
  const part = requiredPart(parts, name, at);
  const value = part['valueCode'] ?? part['valueString'];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new FhirError('patch.invalid', { detail: `the "${name}" part needs a valueCode or valueString` }, at);
  }
  return value;
}

function integerPart(parts: Map<PartName, Record<string, unknown>>, name: PartName, at: string): number {
  const value = requiredPart(parts, name, at)['valueInteger'];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new FhirError('patch.invalid', { detail: `the "${name}" part needs a non-negative valueInteger` }, at);
  }
  return value;
}

function valuePart(parts: Map<PartName, Record<string, unknown>>, at: string): PatchValue {
  return readValue(requiredPart(parts, 'value', at), 'value', at);
}

/** A part's value: exactly one of `value[x]`, `resource` or nested `part`s (for complex values). */
function readValue(part: Record<string, unknown>, label: string, at: string): PatchValue {
  const invalid = (detail: string) => new FhirError('patch.invalid', { detail }, at);
  const carriers = Object.keys(part).filter((key) => /^value[A-Z]/.test(key) || key === 'resource' || key === 'part');
  const [key, ...others] = carriers;
  if (key === undefined || others.length > 0) throw invalid(`"${label}" needs exactly one of value[x], resource or part`);
  const content = part[key];
  if (key !== 'part') {
    if (content === null || content === undefined) throw invalid(`"${label}" has an empty ${key}`);
    return { kind: 'data', json: content, suffix: key === 'resource' ? undefined : key.slice('value'.length) };
  }
  if (!Array.isArray(content) || content.length === 0) throw invalid(`"${label}" has no parts`);
  return {
    kind: 'parts',
    parts: (content as unknown[]).map((child) => {
      const name = isJsonObject(child) ? child['name'] : undefined;
      if (!isJsonObject(child) || typeof name !== 'string' || !ELEMENT_NAME.test(name)) {
        throw invalid(`a part of "${label}" needs an element name, not ${JSON.stringify(name ?? null)}`);
      }
      return { name, value: readValue(child, `${label}.${name}`, at) };
    }),
  };
}

function parsePath(text: string, at: string): Atom {
  try {
    return parseFhirPath(text).child;
  } catch (error) {
    throw new FhirError('patch.invalid', { detail: `path "${text}" is not valid FHIRPath (${messageOf(error)})` }, at);
  }
}

/** insert and move address a list through its owner, so that an empty or absent list can still be found. */
function listPath(path: Atom, text: string, at: string): ListPath {
  if (path instanceof DotAtom && path.right instanceof SymbolAtom) return { owner: path.left, name: path.right.name };
  if (path instanceof SymbolAtom && !path.name.startsWith('%') && path.name !== '$this') return { owner: undefined, name: path.name };
  throw new FhirError('patch.invalid', { detail: `path "${text}" must end with the name of a list element` }, at);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
