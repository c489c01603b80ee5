import { fromXmlSchema, primitiveIssue } from '../../src/validation/primitive-formats.js';

/** The English message for a value, or undefined when it is valid. */
const problem = (value: string | number | boolean, type: string): string | undefined => primitiveIssue(value, type)?.en;

describe('primitiveIssue: the R4 regexes, read from the definitions', () => {
  it.each([
    ['date', ['2024', '2024-02', '2024-02-29'], ['2024-2-1', '2024-13-01', '24-01-01', '2024-01-01T00:00:00Z']],
    // A time needs seconds and a zone.
    ['dateTime', ['2024', '2024-03-01', '2024-03-01T09:30:00+08:00', '2024-03-01T01:30:00.123456Z'], ['2024-03-01T09:30:00', '2024-03-01T09:30+08:00', '2024-03-01T24:00:00Z']],
    ['instant', ['2024-03-01T01:30:00Z', '2024-03-01T09:30:00.5+08:00'], ['2024-03-01', '2024-03-01T09:30:00']],
    ['time', ['08:30:00', '23:59:60.25'], ['8:30', '08:30', '24:00:00']],
    ['uri', ['http://example.org/a', 'urn:uuid:1', 'relative/path'], ['has space', 'tab\tinside']],
    ['oid', ['urn:oid:2.16.156.10011.1.1'], ['urn:oid:3.1', '2.16.156']],
    ['uuid', ['urn:uuid:6f1c1a0e-2d3b-4c5d-8e9f-0a1b2c3d4e5f'], ['urn:uuid:6F1C1A0E-2D3B-4C5D-8E9F-0A1B2C3D4E5F', '6f1c1a0e-2d3b-4c5d-8e9f-0a1b2c3d4e5f']],
    ['id', ['a-1.B', 'a'.repeat(64)], ['a_1', 'a'.repeat(65), '张三']],
    // XML Schema's \s: a single tab or line break may separate the parts of a code.
    ['code', ['final', 'a b', 'a\tb'], ['a  b', ' a']],
    ['base64Binary', ['AAEC', 'aGk/+w==', 'AAEC AAEC'], ['AAE', 'AA$C']],
  ])('%s', (type, valid, invalid) => {
    for (const value of valid) expect([value, problem(value, type)]).toEqual([value, undefined]);
    for (const value of invalid) expect([value, problem(value, type)]).toEqual([value, `Not a valid FHIR ${type}`]);
  });

  it('takes only space, tab, CR and LF for whitespace, so Chinese full-width spaces are content', () => {
    expect(problem('张\u3000三', 'string')).toBeUndefined();
    expect(problem('北京市\u3000东城区', 'uri')).toBeUndefined();
    expect(problem('\u3000', 'string')).toBe('String must not be empty or only whitespace');
    expect(problem(' \t', 'markdown')).toBe('String must not be empty or only whitespace');
  });

  it('rejects what XML cannot carry, in every string type', () => {
    for (const type of ['string', 'markdown', 'code', 'uri', 'id']) expect([type, problem('a\u0001b', type)]).toEqual([type, `Not a valid FHIR ${type}`]);
    expect(problem('a\ud800b', 'string')).toBe('Not a valid FHIR string');
    expect(problem('表情😀', 'string')).toBeUndefined();
    expect(problem('line\r\nbreak\ttab', 'string')).toBeUndefined();
  });

  it("limits string's length, inherited by code and markdown but not base64Binary", () => {
    const long = 'a'.repeat(1024 * 1024 + 1);
    expect(problem('a'.repeat(1024 * 1024), 'string')).toBeUndefined();
    expect(problem(long, 'string')).toBe('String is longer than 1 MB');
    expect(problem(long, 'markdown')).toBe('String is longer than 1 MB');
    expect(problem('AAAA'.repeat(300_000), 'base64Binary')).toBeUndefined();
  });
});

describe('primitiveIssue: JSON types and numbers', () => {
  it('wants the JSON type of the primitive', () => {
    expect(problem('true', 'boolean')).toBe('Wrong JSON type: expected boolean, got string');
    expect(problem('72', 'decimal')).toBe('Wrong JSON type: expected number, got string');
    expect(problem(1, 'string')).toBe('Wrong JSON type: expected string, got number');
    expect(problem(false, 'boolean')).toBeUndefined();
  });

  it('keeps integers within 32 bits, positiveInt above 0 and unsignedInt at 0 or above', () => {
    expect(problem(2147483647, 'integer')).toBeUndefined();
    expect(problem(-2147483648, 'integer')).toBeUndefined();
    expect(primitiveIssue(2147483648, 'integer')).toEqual({ en: 'Must be at most 2147483647', zh: '不能大于 2147483647', code: 'value' });
    expect(problem(-2147483649, 'integer')).toBe('Must be at least -2147483648');
    expect(problem(3e9, 'positiveInt')).toBe('Must be at most 2147483647');
    expect(problem(1.5, 'integer')).toBe('Must be an integer');
    expect(problem(1.5, 'unsignedInt')).toBe('Must be an integer');
    expect(problem(0, 'positiveInt')).toBe('Must be a positive integer');
    expect(problem(-3, 'positiveInt')).toBe('Must be a positive integer');
    expect(problem(0, 'unsignedInt')).toBeUndefined();
    expect(problem(-1, 'unsignedInt')).toBe('Must not be negative');
    expect(problem(-0.5, 'decimal')).toBeUndefined();
    expect(problem(6.02e23, 'decimal')).toBeUndefined();
  });
});

describe('fromXmlSchema', () => {
  it('anchors the pattern and reads \\s and \\S as XML Schema does, inside and outside classes', () => {
    expect(fromXmlSchema('a|b').test('ab')).toBe(false);
    expect(fromXmlSchema('\\S+').test('a\u00a0b')).toBe(true);
    expect(fromXmlSchema('\\S+').test('a b')).toBe(false);
    expect(fromXmlSchema('[^\\s]+').test('a\u3000b')).toBe(true);
    expect(fromXmlSchema('[ \\S]+').test('a b\u3000c')).toBe(true);
    expect(fromXmlSchema('a\\sb').test('a\u3000b')).toBe(false);
    expect(fromXmlSchema('[A-Za-z0-9\\-\\.]{1,64}').test('a-b.c')).toBe(true);
    expect(fromXmlSchema('[^\\s]+').test('')).toBe(false);
    expect(fromXmlSchema('[^\\s]*').test('')).toBe(true);
    expect(fromXmlSchema('[ \\S]+').test('a\u0001')).toBe(false);
    expect(fromXmlSchema('[ \\S]+').test('a\uFFFE')).toBe(false);
  });

  it('checks values of tens of megabytes without overflowing the stack', () => {
    const long = 'urn:中文'.repeat(3_000_000);
    expect(primitiveIssue(long, 'uri')).toBeUndefined();
    expect(primitiveIssue(long + ' ', 'uri')).toBeDefined();
    expect(primitiveIssue('a b '.repeat(3_000_000) + 'c', 'code')).toBeDefined();
  });
});
