import {
  AsAtom,
  DotAtom,
  EmptySetAtom,
  evalFhirPathTyped,
  FhirPathAtom,
  FunctionAtom,
  IndexerAtom,
  InfixOperatorAtom,
  IsAtom,
  LiteralAtom,
  parseFhirPath,
  PrefixOperatorAtom,
  SymbolAtom,
  toTypedValue,
  type Atom,
  type Constraint,
  type TypedValue,
} from '@medplum/core';

/** An error-level FHIRPath constraint of an element or resource type, parsed once. */
export interface Invariant {
  readonly key: string;
  readonly description: string;
  /** Null when the engine cannot parse it: that says nothing about the resource, so it holds. */
  readonly expression: FhirPathAtom | null;
  /**
   * The names the expression reads from its context, when that is all it reads from outside
   * itself; undefined when it also reaches elsewhere (%resource, descendants(), $this…).
   */
  readonly names: readonly string[] | undefined;
  /**
   * The result on a context holding none of `names`: with nothing it reads present, every such
   * context gives the same result, so it is evaluated once.
   */
  holdsWhenAbsent?: boolean;
}

/** The resources an invariant may refer to (FHIRPath's %resource and %rootResource). */
export interface InvariantScope {
  readonly resource: TypedValue;
  /** The container of a contained resource, otherwise the resource itself. */
  readonly rootResource: TypedValue;
}

/**
 * Not checked: ele-1 (a value or children) is the empty-value check of the walk; dom-3 (every
 * contained resource is referenced) needs all references resolved; org-1 (name or identifier)
 * and sdf-19 (only FHIR types in FHIR's own models) were never enforced, and so stay off.
 */
const UNCHECKED = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);

const UCUM = toTypedValue('http://unitsofmeasure.org');

const parsed = new Map<string, FhirPathAtom | null>();

export function invariantsOf(constraints: readonly Constraint[] | undefined): readonly Invariant[] {
  const invariants: Invariant[] = [];
  for (const { key, severity, expression, description } of constraints ?? []) {
    if (severity !== 'error' || UNCHECKED.has(key)) continue;
    const atom = compiled(expression);
    const names = atom ? contextNames(atom) : undefined;
    invariants.push({ key, description, expression: atom, names: names && [...names] });
  }
  return invariants;
}

/**
 * The first invariant `value` fails: one issue is enough to point at a value, and the rest
 * would cost an evaluation each. `present` says whether the context holds an element of any of
 * the given names; it is absent for primitive values, which are always evaluated.
 */
export function firstFailed(
  invariants: readonly Invariant[],
  value: TypedValue,
  scope: InvariantScope,
  present?: (names: readonly string[]) => boolean,
): Invariant | undefined {
  for (const invariant of invariants) {
    const { expression, names } = invariant;
    if (!expression) continue;
    let holds: boolean;
    if (names && present && !present(names)) {
      holds = invariant.holdsWhenAbsent ??= evaluate(expression, value, scope);
    } else {
      holds = evaluate(expression, value, scope);
    }
    if (!holds) return invariant;
  }
  return undefined;
}

function evaluate(expression: FhirPathAtom, value: TypedValue, scope: InvariantScope): boolean {
  const variables = { '%context': value, '%resource': scope.resource, '%rootResource': scope.rootResource, '%ucum': UCUM };
  try {
    const result = evalFhirPathTyped(expression, [value], variables);
    return result.length === 1 && result[0]?.value === true;
  } catch {
    // An expression the engine cannot evaluate says nothing about the resource.
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

/** Functions that, applied to the context itself, look at nothing of it but what their arguments name. */
const BLIND_FUNCTIONS = new Set(['exists', 'empty', 'not', 'count', 'hasValue', 'iif', 'where', 'select', 'all', 'trace']);
/** Functions whose argument is a type, not a path. */
const TYPE_FUNCTIONS = new Set(['ofType', 'as', 'is']);

/**
 * The element names an expression reads from its context, or undefined when it may read
 * anything else. A name counts where a path starts (what `a` reads in `a.b`) and anywhere in
 * function arguments, which is more than needed and so safe. Not safe: variables other than
 * the constant %ucum, `$this`, type names (`Patient.name` reads the context's `name`), and
 * functions on the context that look at all of it (`children()`, `descendants()`) or at a
 * property they do not name (`resolve()` reads `reference`).
 */
export function contextNames(expression: FhirPathAtom): ReadonlySet<string> | undefined {
  const names = new Set<string>();
  const visit = (atom: Atom, leading: boolean): boolean => {
    if (atom instanceof FhirPathAtom) return visit(atom.child, leading);
    if (atom instanceof IsAtom || atom instanceof AsAtom) return visit(atom.left, leading);
    if (atom instanceof DotAtom) return visit(atom.left, leading) && visit(atom.right, false);
    if (atom instanceof InfixOperatorAtom) return visit(atom.left, leading) && visit(atom.right, leading);
    if (atom instanceof PrefixOperatorAtom) return visit(atom.child, leading);
    if (atom instanceof IndexerAtom) return visit(atom.left, leading) && visit(atom.expr, true);
    if (atom instanceof FunctionAtom) {
      if (leading && !BLIND_FUNCTIONS.has(atom.name)) return false;
      return TYPE_FUNCTIONS.has(atom.name) || atom.args.every((arg) => visit(arg, true));
    }
    if (atom instanceof SymbolAtom) {
      if (!leading || atom.name === '%ucum') return true;
      if (/^[%$A-Z]/.test(atom.name)) return false;
      names.add(atom.name);
      return true;
    }
    return atom instanceof LiteralAtom || atom instanceof EmptySetAtom;
  };
  return visit(expression, true) ? names : undefined;
}
