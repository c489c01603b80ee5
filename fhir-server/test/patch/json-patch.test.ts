import type { Resource } from '@medplum/fhirtypes';
import { applyJsonPatch } from '../../src/patch/json-patch.js';
import { summary, thrown } from './thrown.js';

/** RFC 6902 works on any JSON document; its examples are not FHIR resources. */
const doc = (json: object): Resource => json as unknown as Resource;

describe('JSON Patch: RFC 6902 Appendix A', () => {
  it('A.1 adds an object member', () => {
    expect(applyJsonPatch(doc({ foo: 'bar' }), [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({ baz: 'qux', foo: 'bar' });
  });

  it('A.2 adds an array element', () => {
    expect(applyJsonPatch(doc({ foo: ['bar', 'baz'] }), [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({ foo: ['bar', 'qux', 'baz'] });
  });

  it('A.3 removes an object member', () => {
    expect(applyJsonPatch(doc({ baz: 'qux', foo: 'bar' }), [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' });
  });

  it('A.4 removes an array element', () => {
    expect(applyJsonPatch(doc({ foo: ['bar', 'qux', 'baz'] }), [{ op: 'remove', path: '/foo/1' }])).toEqual({ foo: ['bar', 'baz'] });
  });

  it('A.5 replaces a value', () => {
    expect(applyJsonPatch(doc({ baz: 'qux', foo: 'bar' }), [{ op: 'replace', path: '/baz', value: 'boo' }])).toEqual({ baz: 'boo', foo: 'bar' });
  });

  it('A.6 moves a value', () => {
    const before = doc({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } });
    expect(applyJsonPatch(before, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
  });

  it('A.7 moves an array element', () => {
    const before = doc({ foo: ['all', 'grass', 'cows', 'eat'] });
    expect(applyJsonPatch(before, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).toEqual({ foo: ['all', 'cows', 'eat', 'grass'] });
  });

  it('A.8 passes a test', () => {
    const before = doc({ baz: 'qux', foo: ['a', 2, 'c'] });
    const patch = [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ];
    expect(applyJsonPatch(before, patch)).toEqual({ baz: 'qux', foo: ['a', 2, 'c'] });
  });

  it('A.9 fails a test', () => {
    const error = thrown(() => applyJsonPatch(doc({ baz: 'qux' }), [{ op: 'test', path: '/baz', value: 'bar' }]));
    expect(summary(error)).toEqual({ messageId: 'patch.test-failed', expression: '[0]', status: 422 });
    expect(error.message).toContain('/baz');
  });

  it('A.10 adds a nested member object', () => {
    const patch = [{ op: 'add', path: '/child', value: { grandchild: {} } }];
    expect(applyJsonPatch(doc({ foo: 'bar' }), patch)).toEqual({ foo: 'bar', child: { grandchild: {} } });
  });

  it('A.11 ignores unrecognised members of an operation', () => {
    const patch = [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }];
    expect(applyJsonPatch(doc({ foo: 'bar' }), patch)).toEqual({ foo: 'bar', baz: 'qux' });
  });

  it('A.12 refuses to add to a nonexistent target', () => {
    const error = thrown(() => applyJsonPatch(doc({ foo: 'bar' }), [{ op: 'add', path: '/baz/bat', value: 'qux' }]));
    expect(summary(error)).toEqual({ messageId: 'patch.failed', expression: '[0]', status: 422 });
    expect(error.message).toContain('/baz/bat');
  });

  it('A.14 decodes ~01 as the literal "~1"', () => {
    const before = doc({ '/': 9, '~1': 10 });
    expect(applyJsonPatch(before, [{ op: 'test', path: '/~01', value: 10 }])).toEqual({ '/': 9, '~1': 10 });
  });

  it('A.15 compares strings and numbers strictly', () => {
    const error = thrown(() => applyJsonPatch(doc({ '/': 9, '~1': 10 }), [{ op: 'test', path: '/~01', value: '10' }]));
    expect(summary(error).messageId).toBe('patch.test-failed');
  });

  it('A.16 appends an array value with "-"', () => {
    const patch = [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }];
    expect(applyJsonPatch(doc({ foo: ['bar'] }), patch)).toEqual({ foo: ['bar', ['abc', 'def']] });
  });
});

describe('JSON Patch on a resource', () => {
  const patient: Resource = {
    resourceType: 'Patient',
    id: 'p1',
    name: [{ family: 'Li', given: ['Wei'] }],
    telecom: [{ system: 'phone', value: '123' }],
    birthDate: '1990-01-01',
  };

  it('copies a value without sharing it', () => {
    const patched = applyJsonPatch(patient, [
      { op: 'copy', from: '/name/0', path: '/name/-' },
      { op: 'replace', path: '/name/1/family', value: 'Wang' },
    ]) as { name: Array<{ family: string }> };
    expect(patched.name.map((n) => n.family)).toEqual(['Li', 'Wang']);
  });

  it('decodes "~1" as "/" and "~0" as "~" in member names', () => {
    const before = doc({ 'a/b': 1, 'm~n': 2 });
    expect(applyJsonPatch(before, [{ op: 'replace', path: '/a~1b', value: 3 }, { op: 'remove', path: '/m~0n' }])).toEqual({ 'a/b': 3 });
  });

  it('replaces a member in place, keeping member order', () => {
    const patched = applyJsonPatch(patient, [{ op: 'replace', path: '/name', value: [] }]);
    expect(Object.keys(patched)).toEqual(Object.keys(patient));
  });

  it('tests objects member-wise regardless of order', () => {
    expect(() => applyJsonPatch(patient, [{ op: 'test', path: '/telecom/0', value: { value: '123', system: 'phone' } }])).not.toThrow();
    const error = thrown(() => applyJsonPatch(patient, [{ op: 'test', path: '/telecom/0', value: { system: 'phone' } }]));
    expect(summary(error).messageId).toBe('patch.test-failed');
  });

  it('never changes its input, even when a later operation fails', () => {
    const snapshot = structuredClone(patient);
    applyJsonPatch(patient, [{ op: 'add', path: '/name/0/given/-', value: 'Ming' }, { op: 'remove', path: '/telecom/0' }]);
    expect(() => applyJsonPatch(patient, [{ op: 'remove', path: '/birthDate' }, { op: 'remove', path: '/gender' }])).toThrow();
    expect(patient).toEqual(snapshot);
  });

  it('does not share added values with the patch document', () => {
    const value = { family: 'Zhang' };
    const patched = applyJsonPatch(patient, [{ op: 'add', path: '/name/-', value }]) as { name: Array<{ family: string }> };
    patched.name[1]!.family = 'changed';
    expect(value.family).toBe('Zhang');
  });

  it('moves a value to where it already is without change', () => {
    expect(applyJsonPatch(patient, [{ op: 'move', from: '/birthDate', path: '/birthDate' }])).toEqual(patient);
  });

  it('names the failing operation by its position', () => {
    const error = thrown(() => applyJsonPatch(patient, [{ op: 'test', path: '/id', value: 'p1' }, { op: 'remove', path: '/gender' }]));
    expect(summary(error)).toEqual({ messageId: 'patch.failed', expression: '[1]', status: 422 });
    expect(error.message).toContain('"/gender"');
  });

  it.each([
    ['adding past the end of an array', { op: 'add', path: '/name/2', value: {} }],
    ['an index with a leading zero', { op: 'replace', path: '/name/00', value: {} }],
    ['"-" outside add', { op: 'remove', path: '/name/-' }],
    ['removing an index past the end', { op: 'remove', path: '/telecom/1' }],
    ['replacing a missing member', { op: 'replace', path: '/gender', value: 'male' }],
    ['moving from a missing member', { op: 'move', from: '/gender', path: '/x' }],
    ['copying from a missing member', { op: 'copy', from: '/name/0/suffix', path: '/x' }],
    ['adding below a primitive', { op: 'add', path: '/birthDate/year', value: 1990 }],
    ['removing the whole document', { op: 'remove', path: '' }],
    ['a result that is not an object', { op: 'replace', path: '', value: 5 }],
  ])('fails on %s', (_, operation) => {
    expect(summary(thrown(() => applyJsonPatch(patient, [operation]))).messageId).toBe('patch.failed');
  });

  it('replaces the whole document at the root pointer', () => {
    expect(applyJsonPatch(patient, [{ op: 'replace', path: '', value: { resourceType: 'Patient', id: 'p1' } }])).toEqual({ resourceType: 'Patient', id: 'p1' });
  });

  it('keeps "__proto__" an ordinary member', () => {
    const patched = applyJsonPatch(patient, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]);
    expect((patched as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(patched, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('JSON Patch document validation', () => {
  const patient: Resource = { resourceType: 'Patient', id: 'p1' };

  it('requires an array', () => {
    expect(summary(thrown(() => applyJsonPatch(patient, { op: 'remove', path: '/id' })))).toEqual({
      messageId: 'patch.invalid',
      expression: undefined,
      status: 400,
    });
  });

  it.each([
    ['a non-object operation', ['remove']],
    ['an unknown op', [{ op: 'delete', path: '/id' }]],
    ['a missing path', [{ op: 'remove' }]],
    ['a path not starting with "/"', [{ op: 'remove', path: 'id' }]],
    ['a bad "~" escape', [{ op: 'remove', path: '/a~2' }]],
    ['add without value', [{ op: 'add', path: '/x' }]],
    ['test without value', [{ op: 'test', path: '/id' }]],
    ['move without from', [{ op: 'move', path: '/x' }]],
    ['copy with a non-string from', [{ op: 'copy', from: 3, path: '/x' }]],
    ['moving a location into its own child', [{ op: 'move', from: '/meta', path: '/meta/tag' }]],
  ])('rejects %s', (_, patch) => {
    expect(summary(thrown(() => applyJsonPatch(patient, patch)))).toEqual({ messageId: 'patch.invalid', expression: '[0]', status: 400 });
  });

  it('checks the whole document before applying anything', () => {
    // The first operation would fail, but the malformed second one is reported: nothing ran.
    const error = thrown(() => applyJsonPatch(patient, [{ op: 'remove', path: '/missing' }, { op: 'nope', path: '/id' }]));
    expect(summary(error)).toEqual({ messageId: 'patch.invalid', expression: '[1]', status: 400 });
  });

  it('accepts a null value, which is a JSON value', () => {
    expect(applyJsonPatch(patient, [{ op: 'add', path: '/x', value: null }])).toEqual({ resourceType: 'Patient', id: 'p1', x: null });
  });
});
