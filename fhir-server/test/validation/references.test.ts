import { allowedTargetTypes, isValidId, parseReference } from '../../src/validation/references.js';

describe('parseReference', () => {
  it('recognises each literal form of R4', () => {
    expect(parseReference('Patient/123')).toEqual({ kind: 'relative', type: 'Patient' });
    expect(parseReference('Observation/a-1.b/_history/7')).toEqual({ kind: 'relative', type: 'Observation' });
    expect(parseReference('Patient?identifier=123')).toEqual({ kind: 'conditional', type: 'Patient' });
    expect(parseReference('#med1')).toEqual({ kind: 'contained', id: 'med1' });
    expect(parseReference('#')).toEqual({ kind: 'contained', id: '' });
    for (const absolute of ['http://example.org/fhir/Patient/1', 'https://x.org', 'urn:uuid:A1B2C3D4-0000-4000-8000-000000000000', 'urn:oid:2.16.840.1.113883']) {
      expect([absolute, parseReference(absolute)]).toEqual([absolute, { kind: 'absolute' }]);
    }
  });

  it('rejects everything else', () => {
    const invalid = [
      '',
      'Patient',
      'Patient/',
      'Patient/张三',
      'Patient/1 2',
      `Patient/${'a'.repeat(65)}`,
      'Patient/1/_history',
      'Patient/1/_history/a b',
      'Patient/1/extra',
      'Foo/1',
      'patient/1',
      'Foo?x=1',
      'Patient?',
      '#a b',
      'http://',
      'http:// space',
      'mailto:a@b.c',
      'urn:uuid:not-a-uuid',
      'urn:oid:3.1',
      'urn:oid:1.02',
    ];
    for (const reference of invalid) expect([reference, parseReference(reference)]).toEqual([reference, { kind: 'invalid' }]);
  });
});

describe('isValidId', () => {
  it('follows the R4 id datatype', () => {
    expect(isValidId('a')).toBe(true);
    expect(isValidId('A-b.9')).toBe(true);
    expect(isValidId('a'.repeat(64))).toBe(true);
    expect(isValidId('a'.repeat(65))).toBe(false);
    expect(isValidId('')).toBe(false);
    expect(isValidId('a_b')).toBe(false);
    expect(isValidId('张三')).toBe(false);
  });
});

describe('allowedTargetTypes', () => {
  const base = 'http://hl7.org/fhir/StructureDefinition/';
  it('lists base resource types, and allows anything for Resource or profiles outside the base', () => {
    expect(allowedTargetTypes([`${base}Patient`, `${base}Group`])).toEqual(['Patient', 'Group']);
    expect(allowedTargetTypes([`${base}Resource`])).toBeUndefined();
    expect(allowedTargetTypes([`${base}Patient`, 'http://example.org/StructureDefinition/my-patient'])).toBeUndefined();
    expect(allowedTargetTypes(undefined)).toBeUndefined();
    expect(allowedTargetTypes([])).toBeUndefined();
  });
});
