import { parseFhirPath, toTypedValue, type Constraint } from '@medplum/core';
import { loadR4 } from '../../src/definitions/r4.js';
import { contextNames, firstFailed, invariantsOf, type InvariantScope } from '../../src/validation/invariants.js';

const names = (expression: string): string[] | undefined => {
  const found = contextNames(parseFhirPath(expression));
  return found && [...found].sort();
};

const constraint = (key: string, expression: string, severity: Constraint['severity'] = 'error'): Constraint => ({
  key,
  expression,
  severity,
  description: `${key} holds`,
});

describe('contextNames', () => {
  it('lists the names paths start with, and names in function arguments', () => {
    expect(names('extension.exists() != value.exists()')).toEqual(['extension', 'value']);
    expect(names('contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()')).toEqual(['contained']);
    expect(names("code.empty() or system = %ucum")).toEqual(['code', 'system']);
    expect(names('iif(a.exists(), b, c[d.count()])')).toEqual(['a', 'b', 'c', 'd']);
    expect(names('value is Quantity or value.ofType(Quantity).exists()')).toEqual(['value']);
    expect(names("start.hasValue().not() or (start <= end)")).toEqual(['end', 'start']);
  });

  it('gives up on expressions that read more than their context names', () => {
    for (const expression of [
      'value.empty() or code.where(coding.intersect(%resource.code.coding).exists()).empty()',
      'reference.startsWith(\'#\').not() or %rootResource.contained.id.exists()',
      'descendants().linkId.isDistinct()',
      'children().count() > 1',
      '$this.exists()',
      'Patient.name.exists()',
      'resolve().is(Patient)',
      'htmlChecks()',
    ]) {
      expect([expression, names(expression)]).toEqual([expression, undefined]);
    }
  });
});

describe('invariantsOf', () => {
  it('keeps error-level constraints, less those never enforced', () => {
    const kept = invariantsOf([
      constraint('ele-1', 'hasValue() or (children().count() > id.count())'),
      constraint('dom-6', 'text.`div`.exists()', 'warning'),
      constraint('org-1', '(identifier.count() + name.count()) > 0'),
      constraint('pat-1', 'name.exists() or telecom.exists()'),
      constraint('bad-1', 'name.('),
    ]);
    expect(kept.map((i) => [i.key, i.names, i.expression === null])).toEqual([
      ['pat-1', ['name', 'telecom'], false],
      ['bad-1', undefined, true],
    ]);
  });
});

describe('firstFailed', () => {
  beforeAll(() => loadR4());
  const scopeOf = (resource: Record<string, unknown>): InvariantScope => ({ resource: toTypedValue(resource), rootResource: toTypedValue(resource) });
  const contact = (value: Record<string, unknown>) => ({ type: 'PatientContact', value });
  const scope = scopeOf({ resourceType: 'Patient' });

  it('returns the first invariant that fails, and none when all hold', () => {
    const invariants = invariantsOf([constraint('a-1', 'gender.exists()'), constraint('a-2', 'name.exists()'), constraint('a-3', 'name.exists()')]);
    expect(firstFailed(invariants, contact({ gender: 'male' }), scope)?.key).toBe('a-2');
    expect(firstFailed(invariants, contact({ gender: 'male', name: { text: '李四' } }), scope)).toBeUndefined();
  });

  it('treats an expression the engine cannot read or evaluate as holding', () => {
    const invariants = invariantsOf([constraint('bad-1', 'name.('), constraint('bad-2', 'name.noSuchFunction()')]);
    expect(firstFailed(invariants, contact({ name: { text: '李四' } }), scope)).toBeUndefined();
  });

  it('evaluates an invariant once for contexts without the names it reads', () => {
    const [invariant] = invariantsOf([constraint('pat-1', 'name.exists() or telecom.exists() or address.exists() or organization.exists()')]);
    if (!invariant) throw new Error('no invariant');
    const absent = () => false;
    expect(firstFailed([invariant], contact({ gender: 'male' }), scope, absent)?.key).toBe('pat-1');
    expect(invariant.holdsWhenAbsent).toBe(false);
    // Told that nothing it reads is there, it answers from the first evaluation without looking.
    expect(firstFailed([invariant], contact({ name: { text: '李四' } }), scope, absent)?.key).toBe('pat-1');
    expect(firstFailed([invariant], contact({ name: { text: '李四' } }), scope, () => true)).toBeUndefined();
  });

  it('gives %resource and %rootResource to the expression', () => {
    const invariants = invariantsOf([constraint('r-1', "%resource.id = 'inner' and %rootResource.id = 'outer'")]);
    const inner = { resourceType: 'Patient', id: 'inner' };
    const contained: InvariantScope = { resource: toTypedValue(inner), rootResource: toTypedValue({ resourceType: 'Patient', id: 'outer' }) };
    expect(firstFailed(invariants, contact({ gender: 'male' }), contained)).toBeUndefined();
    expect(firstFailed(invariants, contact({ gender: 'male' }), scopeOf(inner))?.key).toBe('r-1');
  });
});
