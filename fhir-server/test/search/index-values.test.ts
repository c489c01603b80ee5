import { dateKey, numberKey, OPEN_HIGH, OPEN_LOW } from '../../src/search/index/sort-key.js';
import { clip, fold } from '../../src/search/index/fold.js';
import { decodeCursor, encodeCursor } from '../../src/search/cursor.js';
import { parseNumber, parseQuantity, parseReference, parseToken, splitOr } from '../../src/search/parse-values.js';
import { FhirError } from '../../src/errors/fhir-error.js';

describe('sort keys', () => {
  it('order numbers as text exactly as the numbers order', () => {
    const numbers = [-1e300, -12345.678, -1, -0.5, -1e-9, 0, 1e-9, 0.5, 1, 2, 10, 99.99, 100, 12345.678, 1e300];
    const shuffled = [...numbers].sort(() => 0.5 - Math.random());
    const byKey = shuffled.sort((a, b) => (numberKey(a) < numberKey(b) ? -1 : numberKey(a) > numberKey(b) ? 1 : 0));
    expect(byKey).toEqual(numbers);
    expect(numberKey(-0)).toBe(numberKey(0));
  });

  it('order dates as text as instants order, open ends outside every date', () => {
    const instants = [Date.UTC(1, 0, 1), Date.UTC(1969, 11, 31), 0, Date.UTC(2024, 1, 29, 12), Date.UTC(9999, 11, 31)];
    const keys = instants.map(dateKey);
    expect([...keys].sort()).toEqual(keys);
    expect(OPEN_LOW < (keys[0] as string)).toBe(true);
    expect(OPEN_HIGH > (keys[keys.length - 1] as string)).toBe(true);
    expect(dateKey(-Infinity)).toBe(OPEN_LOW);
    expect(dateKey(Infinity)).toBe(OPEN_HIGH);
  });
});

describe('string folding', () => {
  it('drops case, accents and width but keeps Han characters', () => {
    expect(fold('Zhāng')).toBe('zhang');
    expect(fold('ＺＨＡＮＧ')).toBe('zhang');
    expect(fold('张三')).toBe('张三');
    expect(fold('Müller')).toBe('muller');
  });

  it('clips long values to what an index entry holds', () => {
    expect(clip('x'.repeat(600))).toHaveLength(512);
    expect(clip('短')).toBe('短');
  });
});

describe('search values', () => {
  it('gives numbers the range of their precision', () => {
    expect(parseNumber('p', '100')).toMatchObject({ prefix: 'eq', low: 99.5, high: 100.5 });
    expect(parseNumber('p', 'gt1e2')).toMatchObject({ prefix: 'gt', low: 50, high: 150, value: 100 });
    const precise = parseNumber('p', '100.00');
    expect(precise.low).toBeCloseTo(99.995, 10);
    expect(precise.high).toBeCloseTo(100.005, 10);
    expect(() => parseNumber('p', '1,0')).toThrow(FhirError);
    expect(() => parseNumber('p', "1' OR 1=1")).toThrow(FhirError);
  });

  it('reads quantities with and without units', () => {
    expect(parseQuantity('q', 'le5.4|http://unitsofmeasure.org|mg')).toMatchObject({ prefix: 'le', value: 5.4, system: 'http://unitsofmeasure.org', code: 'mg' });
    expect(parseQuantity('q', '5.4||mg')).toMatchObject({ value: 5.4, code: 'mg' });
    expect(parseQuantity('q', '5.4')).not.toHaveProperty('code');
    expect(() => parseQuantity('q', '5.4|mg')).toThrow(FhirError);
  });

  it('reads token forms and escapes', () => {
    expect(parseToken('t', 'a|b')).toEqual({ system: 'a', code: 'b' });
    expect(parseToken('t', '|b')).toEqual({ system: null, code: 'b' });
    expect(parseToken('t', 'a|')).toEqual({ system: 'a' });
    expect(parseToken('t', 'a\\|b')).toEqual({ code: 'a|b' });
    expect(splitOr('a,b\\,c')).toEqual(['a', 'b\\,c']);
  });

  it('reads references relative, absolute on this server, and foreign', () => {
    const base = 'https://hub.example.cn/fhir';
    expect(parseReference('r', 'Patient/1', base)).toEqual({ type: 'Patient', id: '1' });
    expect(parseReference('r', `${base}/Patient/1/_history/3`, base)).toEqual({ type: 'Patient', id: '1' });
    expect(parseReference('r', '1', base)).toEqual({ id: '1' });
    expect(parseReference('r', 'http://other.example/fhir/Patient/1', base)).toEqual({ url: 'http://other.example/fhir/Patient/1' });
    expect(() => parseReference('r', '../../etc/passwd', base)).toThrow(FhirError);
  });
});

describe('page cursors', () => {
  it('round-trip and reject anything malformed', () => {
    const cursor = { values: ['2024-01-01', null], resourceType: 'Observation', id: 'o1', total: 7 };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('not-a-cursor')).toBeUndefined();
    expect(decodeCursor(Buffer.from('[[1],"A","b"]').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('[[],"A","b",-1]').toString('base64url'))).toBeUndefined();
  });
});
