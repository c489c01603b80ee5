import { evalFhirPathTyped, getDataType, parseFhirPath, toTypedValue, type Constraint, type TypedValue } from '@medplum/core';
import type { FhirPathAtom } from '@medplum/core';

/**
 * dom-3 (every contained resource is referenced) needs all references of the container
 * resolved; medplum does not evaluate it either.
 */
const UNCHECKED = new Set(['dom-3']);

const parsed = new Map<string, FhirPathAtom | null>();

/**
 * The resource-level invariants (error severity) a nested resource — a Bundle entry, a contained
 * or Parameters resource — fails. Medplum evaluates them for the resource it is given only, and
 * the constraints of elements inside nested resources already; this fills the gap.
 * `container` is the resource holding a contained one (FHIRPath's %rootResource).
 */
export function failedInvariants(resource: Record<string, unknown>, type: string, container: Record<string, unknown> | undefined): Constraint[] {
  const constraints = getDataType(type).constraints;
  if (!constraints?.length) return [];
  const self = toTypedValue(resource);
  const variables: Record<string, TypedValue> = { '%context': self, '%resource': self, '%rootResource': container ? toTypedValue(container) : self };
  return constraints.filter((constraint) => constraint.severity === 'error' && !UNCHECKED.has(constraint.key) && !holds(constraint, self, variables));
}

function holds(constraint: Constraint, self: TypedValue, variables: Record<string, TypedValue>): boolean {
  const expression = compiled(constraint.expression);
  // An expression the engine cannot read or evaluate says nothing about the resource.
  if (!expression) return true;
  try {
    const result = evalFhirPathTyped(expression, [self], variables);
    return result.length === 1 && result[0]?.value === true;
  } catch {
    return true;
  }
}

function compiled(expression: string): FhirPathAtom | null {
  let atom = parsed.get(expression);
  if (atom === undefined) {
    try {
      atom = parseFhirPath(expression);
    } catch {
      atom = null;
    }
    parsed.set(expression, atom);
  }
  return atom;
}
