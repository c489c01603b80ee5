import { ETHNICITIES, MOBILE_PREFIXES } from '../../src/seed/demographics.js';
import { DIAGNOSES } from '../../src/seed/diagnoses.js';
import { DIVISIONS, isListedDivision } from '../../src/seed/divisions.js';
import { LAB_TESTS, PANELS } from '../../src/seed/labs.js';
import { ORGANIZATIONS } from '../../src/seed/organizations.js';

/** LOINC's mod-10 check digit (the Luhn scheme), written from the LOINC users' guide. */
function loincCheckDigit(body: string): number {
  let sum = 0;
  [...body].reverse().forEach((ch, i) => {
    const d = Number(ch) * (i % 2 === 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  });
  return (10 - (sum % 10)) % 10;
}

const PROVINCES: Record<string, string> = {
  '11': '北京市', '31': '上海市', '32': '江苏省', '33': '浙江省', '36': '江西省', '37': '山东省',
  '41': '河南省', '42': '湖北省', '44': '广东省', '51': '四川省',
};

describe('reference tables', () => {
  it('has over 100 distinct six-digit county codes, each in the right province', () => {
    expect(DIVISIONS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(DIVISIONS.map((d) => d.code)).size).toBe(DIVISIONS.length);
    for (const d of DIVISIONS) {
      expect(d.code).toMatch(/^\d{6}$/);
      expect(d.code.slice(4)).not.toBe('00');
      expect(PROVINCES[d.code.slice(0, 2)]).toBe(d.province);
    }
    // Counties of one city share the first four digits.
    const cityOf = new Map<string, string>();
    for (const d of DIVISIONS) {
      expect(cityOf.get(d.code.slice(0, 4)) ?? d.city).toBe(d.city);
      cityOf.set(d.code.slice(0, 4), d.city);
    }
  });

  it('knows some codes by heart', () => {
    const name = (code: string) => DIVISIONS.find((d) => d.code === code)?.county;
    expect(name('110101')).toBe('东城区');
    expect(name('320102')).toBe('玄武区');
    expect(name('360102')).toBe('东湖区');
    expect(name('440106')).toBe('天河区');
  });

  it('uses LOINC codes with correct check digits and UCUM units', () => {
    expect(LAB_TESTS.length).toBeGreaterThanOrEqual(25);
    expect(loincCheckDigit('718')).toBe(7);
    for (const code of [...LAB_TESTS.map((t) => t.loinc), ...PANELS.map((p) => p.loinc)]) {
      const [body, check] = code.split('-');
      expect(loincCheckDigit(body as string)).toBe(Number(check));
    }
    for (const test of LAB_TESTS) {
      expect(test.ucum).not.toMatch(/[µ^]/);
      const [low, high] = test.reference;
      if (low !== undefined && high !== undefined) expect(low).toBeLessThan(high);
      else expect(test.typical).toBeDefined();
    }
    const keys = new Set(LAB_TESTS.map((t) => t.key));
    for (const panel of PANELS) for (const key of panel.tests) expect(keys.has(key)).toBe(true);
  });

  it('pairs national clinical edition codes with the WHO code they refine', () => {
    expect(DIAGNOSES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(DIAGNOSES.map((d) => d.code)).size).toBe(DIAGNOSES.length);
    for (const d of DIAGNOSES) {
      expect(d.code).toMatch(/^[A-Z]\d{2}\.[\dx]\d{2}$/);
      expect(d.who).toMatch(/^[A-Z]\d{2}(\.\d)?$/);
      // I10 → I10.x00, E11.9 → E11.900.
      expect(d.code.startsWith(d.who.includes('.') ? d.who : `${d.who}.x`)).toBe(true);
      expect(d.kind === 'chronic' ? d.prevalence : d.frequency).toBeGreaterThan(0);
    }
  });

  it('has GB/T 3304 codes, mobile prefixes and organisations in listed counties', () => {
    expect(ETHNICITIES.find((e) => e.code === '01')?.name).toBe('汉族');
    for (const e of ETHNICITIES) expect(e.code).toMatch(/^(0[1-9]|[1-4]\d|5[0-6])$/);
    for (const p of MOBILE_PREFIXES) expect(p).toMatch(/^1[3-9]\d$/);
    for (const org of ORGANIZATIONS) {
      expect(isListedDivision(org.division)).toBe(true);
      // Primary care centres send admissions to the hospital of their county.
      if (org.kind === 'primary') {
        expect(ORGANIZATIONS.some((h) => h.kind === 'hospital' && h.division === org.division)).toBe(true);
      }
    }
  });
});
