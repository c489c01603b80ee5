import { DotAtom, getTypedPropertyValue, IndexerAtom, SymbolAtom, type Atom, type AtomContext, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

/**
 * Evaluates a FHIRPath expression while remembering where in the resource each result lives, so a
 * patch can change it. FHIRPath results are values; a primitive such as `Patient.gender` cannot be
 * traced back to its parent by identity. Member navigation (`a.b`, `a[n]`) is therefore done here,
 * recording the parent object, key and list index of every item; everything else (`where()`,
 * `first()`, `ofType()`…) is left to @medplum/core, whose filtering functions return the very
 * TypedValue objects they were given, which maps their results back to the recorded places.
 */

/** Where a value sits: `parent[key]`, or `parent[key][index]` when the element is a list. */
export interface Place {
  parent: Record<string, unknown>;
  /** FHIR type of `parent`, for looking up the element's definition. */
  parentType: string;
  key: string;
  index: number | undefined;
}

export interface Located {
  typed: TypedValue;
  /** Absent for the resource itself and for values computed by the expression rather than read from the resource. */
  place?: Place;
}

/** The items `expression` selects from `resource`; with no expression, the resource itself. */
export function locate(resource: Resource, expression: Atom | undefined): Located[] {
  const root: TypedValue = { type: resource.resourceType, value: resource };
  if (!expression) return [{ typed: root }];
  const context: AtomContext = { variables: { $this: root, '%resource': root, '%rootResource': root, '%context': root } };
  return evaluate(expression, context, [{ typed: root }]);
}

function evaluate(atom: Atom, context: AtomContext, input: Located[]): Located[] {
  if (atom instanceof DotAtom) return evaluate(atom.right, context, evaluate(atom.left, context, input));
  if (atom instanceof SymbolAtom && !atom.name.startsWith('%') && atom.name !== '$this') {
    return input.flatMap((item) => members(item, atom.name));
  }
  if (atom instanceof IndexerAtom) {
    const [index, ...more] = atom.expr.eval(context, input.map((item) => item.typed));
    const selected = evaluate(atom.left, context, input);
    const position: unknown = index?.value;
    if (more.length > 0 || typeof position !== 'number') return [];
    const hit = selected[position];
    return hit ? [hit] : [];
  }
  const byTyped = new Map(input.map((item) => [item.typed, item]));
  return atom.eval(context, input.map((item) => item.typed)).map((typed) => byTyped.get(typed) ?? { typed });
}

/** The children called `name` of one item, each with its place. */
function members(item: Located, name: string): Located[] {
  const value: unknown = item.typed.value;
  if (typeof value !== 'object' || value === null) return [];
  // A primitive carrying extensions arrives as a boxed String/Number/Boolean whose children live in
  // the `_name` sibling; those children are still selected, but without a place.
  const parent = Object.prototype.toString.call(value) === '[object Object]' ? (value as Record<string, unknown>) : undefined;
  if (parent && parent['resourceType'] === name) return [item];
  const found = getTypedPropertyValue(item.typed, name);
  if (found === undefined) return [];
  const located: Located[] = [];
  (Array.isArray(found) ? found : [found]).forEach((typed, index) => {
    if (typed.value === undefined || typed.value === null) return;
    const key = parent && storedKey(parent, name, typed.type);
    if (!parent || key === undefined) {
      located.push({ typed });
      return;
    }
    const stored = parent[key] ?? parent[`_${key}`];
    located.push({ typed, place: { parent, parentType: item.typed.type, key, index: Array.isArray(stored) ? index : undefined } });
  });
  return located;
}

/** The JSON key of element `name`: the name itself, or for a choice element `name` + the value's type (`value` → `valueQuantity`). */
function storedKey(parent: Record<string, unknown>, name: string, type: string): string | undefined {
  for (const key of [name, name + type.charAt(0).toUpperCase() + type.slice(1)]) {
    if (Object.hasOwn(parent, key) || Object.hasOwn(parent, `_${key}`)) return key;
  }
  return undefined;
}
