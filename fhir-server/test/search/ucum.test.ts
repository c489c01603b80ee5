import { createRequire } from 'node:module';
import { canonicalQuantity } from '../../src/search/index/ucum.js';

type Convert = (code: string, value: number) => unknown;
const { UcumLhcUtils } = createRequire(import.meta.url)('@lhncbc/ucum-lhc') as {
  UcumLhcUtils: { prototype: { convertToBaseUnits: Convert } };
};

function sameQuantity(a: [string, string], b: [string, string]): void {
  const canonical = canonicalQuantity(...a);
  expect(canonical).toBeDefined();
  expect(canonicalQuantity(...b)).toEqual(canonical);
}

describe('UCUM canonical quantities', () => {
  it('converts prefixed units to base units', () => {
    expect(canonicalQuantity('5.4', 'mg')).toEqual({ value: '0.0054', code: 'g' });
    sameQuantity(['5.4', 'mg'], ['0.0054', 'g']);
    sameQuantity(['1.2', 'kg'], ['1200000', 'mg']);
    sameQuantity(['250', 'mL'], ['0.25', 'l']);
    sameQuantity(['2.5', 'dL'], ['0.25', 'L']);
  });

  it('compares amounts of substance across prefixes', () => {
    sameQuantity(['1', 'mmol/L'], ['1000', 'umol/L']);
    sameQuantity(['140', 'meq/L'], ['0.14', 'eq/L']);
    // UCUM defines the mole as a number (Avogadro's), so it reduces to a count per volume.
    expect(canonicalQuantity('1', 'mmol/L')).toEqual({ value: '602213670000000000000000', code: 'm-3' });
  });

  it('handles powers of ten, as in blood counts', () => {
    // 4.5 × 10⁹ per litre is 4.5 × 10¹² per cubic metre.
    expect(canonicalQuantity('4.5', '10*9/L')).toEqual({ value: '4500000000000', code: 'm-3' });
    sameQuantity(['4.5', '10*9/L'], ['4500', '10*6/L']);
    sameQuantity(['4.5', '10*12/L'], ['4500', '10*9/L']);
    sameQuantity(['7.2', '10*3/uL'], ['7.2', '10*9/L']);
  });

  it('converts pressures, accepting the common [mmHg] misspelling', () => {
    // 1 mm[Hg] = 133.322 Pa, and the base unit of mass is the gram.
    expect(canonicalQuantity('120', 'mm[Hg]')).toEqual({ value: '15998640', code: 'g.m-1.s-2' });
    sameQuantity(['120', 'mm[Hg]'], ['120', '[mmHg]']);
    sameQuantity(['1', 'kPa'], ['1000', 'Pa']);
    sameQuantity(['10', 'cm[H2O]'], ['0.980665', 'kPa']);
  });

  it('gives one code for a dimension however the unit is written', () => {
    expect(canonicalQuantity('22.5', 'kg/m2')).toEqual({ value: '22500', code: 'g.m-2' });
    sameQuantity(['22.5', 'kg/m2'], ['22.5', 'kg.m-2']);
    sameQuantity(['22.5', 'kg/m2'], ['22.5', 'm-2.kg']);
    sameQuantity(['3', 'mg/(kg.d)'], ['3', 'mg/kg/d']);
    expect(canonicalQuantity('1', 'g/s')?.code).toBe('g.s-1');
    expect(canonicalQuantity('1', 's-1.g')?.code).toBe('g.s-1');
  });

  it('converts times, rates, enzyme activity and imperial units', () => {
    expect(canonicalQuantity('72', '/min')).toEqual({ value: '1.2', code: 's-1' });
    sameQuantity(['2', 'wk'], ['14', 'd']);
    sameQuantity(['1', 'h'], ['60', 'min']);
    sameQuantity(['1', 'a'], ['12', 'mo']);
    // 1 U = 1 µmol/min, so 60 U = 1 µkat.
    sameQuantity(['60', 'U/L'], ['1', 'ukat/L']);
    sameQuantity(['1', '[in_i]'], ['2.54', 'cm']);
    sameQuantity(['1', '[lb_av]'], ['453.59237', 'g']);
  });

  it('treats dimensionless units as ratios of 1', () => {
    expect(canonicalQuantity('37', '%')).toEqual({ value: '0.37', code: '1' });
    sameQuantity(['37', '%'], ['370000', '[ppm]']);
    sameQuantity(['3', '1'], ['300', '%']);
  });

  it('ignores annotations', () => {
    sameQuantity(['5', '{cells}/uL'], ['5', '/uL']);
    sameQuantity(['5', '10*3{cells}/uL'], ['5', '10*9/L']);
    sameQuantity(['90', 'mL/min/{1.73_m2}'], ['90', 'mL/min']);
    sameQuantity(['2', '{tbl}'], ['2', '1']);
    // Brackets inside an annotation are annotation text, not an arbitrary unit.
    sameQuantity(['2', 'mg{[iU]}'], ['2', 'mg']);
  });

  it('keeps arbitrary units comparable with their own prefixed forms only', () => {
    expect(canonicalQuantity('2.5', 'u[IU]/mL')).toEqual({ value: '2.5', code: '[iU].m-3' });
    sameQuantity(['2.5', 'u[IU]/mL'], ['2.5', 'm[IU]/L']);
    sameQuantity(['2.5', '[iU]/L'], ['2.5', '[IU]/L']);
    sameQuantity(['1', 'k[IU]'], ['1000', '[iU]']);
    expect(canonicalQuantity('3', '10*6.[CFU]/L')).toEqual({ value: '3000000000', code: '[CFU].m-3' });
    expect(canonicalQuantity('1', '/[iU]')?.code).toBe('[iU]-1');
    expect(canonicalQuantity('1', '[iU]/[iU]')).toEqual({ value: '1', code: '1' });
    expect(canonicalQuantity('1', '[IU]/[CFU]')).toBeUndefined();
    expect(canonicalQuantity('1', '[iU]/cd')).toBeUndefined();
  });

  it('writes values positionally with at most 15 significant digits', () => {
    expect(canonicalQuantity('1e3', 'g')).toEqual({ value: '1000', code: 'g' });
    expect(canonicalQuantity('-0.001', 'kg')).toEqual({ value: '-1', code: 'g' });
    expect(canonicalQuantity('-0', 'g')).toEqual({ value: '0', code: 'g' });
    expect(canonicalQuantity('0.000001', 'ug')).toEqual({ value: '0.000000000001', code: 'g' });
    // 1/3 g: float noise beyond the 15th digit is rounded away.
    expect(canonicalQuantity('0.333333333333333333', 'g')?.value).toBe('0.333333333333333');
    // {cells}/uL computes as 999999999.9999999 per m³ before rounding.
    expect(canonicalQuantity('1', '{cells}/uL')?.value).toBe('1000000000');
  });

  it('rejects codes that are not UCUM and values that are not decimals', () => {
    for (const code of ['foo', 'mmHg', 'µg', '', '[iU', 'mg/', 'kg//m2']) {
      expect(canonicalQuantity('1', code)).toBeUndefined();
    }
    for (const value of ['', 'abc', '1.', '.5', '0x10', '1e400']) {
      expect(canonicalQuantity(value, 'mg')).toBeUndefined();
    }
  });

  it('does not convert units with an offset or a logarithmic scale', () => {
    expect(canonicalQuantity('37', 'Cel')).toBeUndefined();
    expect(canonicalQuantity('98.6', '[degF]')).toBeUndefined();
    expect(canonicalQuantity('7.4', '[pH]')).toBeUndefined();
    // Kelvin has no offset.
    expect(canonicalQuantity('310.15', 'K')).toEqual({ value: '310.15', code: 'K' });
  });

  it('parses each code once', () => {
    const utils = UcumLhcUtils.prototype;
    const original = utils.convertToBaseUnits;
    let calls = 0;
    utils.convertToBaseUnits = function (this: unknown, ...args) {
      calls++;
      return original.apply(this, args);
    };
    try {
      expect(canonicalQuantity('1', 'ng/dL')).toEqual({ value: '0.00001', code: 'g.m-3' });
      const parsed = calls;
      expect(parsed).toBeGreaterThan(0);
      expect(canonicalQuantity('2', 'ng/dL')).toEqual({ value: '0.00002', code: 'g.m-3' });
      expect(canonicalQuantity('1', 'no-such-unit')).toBeUndefined();
      const afterInvalid = calls;
      for (let i = 0; i < 100; i++) {
        canonicalQuantity(String(i), 'ng/dL');
        canonicalQuantity(String(i), 'no-such-unit');
      }
      expect(calls).toBe(afterInvalid);
    } finally {
      utils.convertToBaseUnits = original;
    }
  });
});
