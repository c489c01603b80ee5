import { primitiveIssue } from '../../src/validation/primitive-formats.js';

/**
 * A stored CDA document is a base64Binary of tens of megabytes. The anchored `[…]+` regex used
 * before pushes a backtrack entry per character and overflowed V8's stack late in a long CI run
 * (a 500 on a 20 MB `$cda-import`; not reproducible in a short run). The check is now one
 * unquantified class; these tests hold its answers, valid and refused, on such a value.
 */
describe('base64Binary of tens of megabytes', () => {
  const value = Buffer.alloc(30 * 1024 * 1024, '患者入院后完善相关检查').toString('base64');
  const deep = (depth: number, check: () => unknown): unknown => (depth === 0 ? check() : deep(depth - 1, check));

  it('is valid, checked at any stack depth', () => {
    for (const depth of [0, 2000, 6000]) expect(deep(depth, () => primitiveIssue(value, 'base64Binary'))).toBeUndefined();
  });

  it('is refused with one character outside the alphabet or a wrong length', () => {
    expect(primitiveIssue(`${value.slice(0, -4)}ab!=`, 'base64Binary')?.en).toBe('Not a valid FHIR base64Binary');
    expect(primitiveIssue(value.slice(0, -1), 'base64Binary')?.en).toBe('Not a valid FHIR base64Binary');
  });
});
