import { composeCreditCode, creditCodeCheck, isValidCreditCode, organizationCodeCheck } from '../../src/checks/gb32100.js';

describe('GB 32100 unified social credit codes', () => {
  // Codes printed on the business licences of well-known companies.
  const published = ['914403001922038216', '9144030071526726XG', '91330100716105852F'];

  it('accepts published codes, including both check characters', () => {
    for (const code of published) {
      expect(isValidCreditCode(code)).toBe(true);
      expect(creditCodeCheck(code.slice(0, 17))).toBe(code[17]);
      expect(organizationCodeCheck(code.slice(8, 16))).toBe(code[16]);
    }
  });

  it('rejects a changed character, letters outside the code set, and wrong lengths', () => {
    expect(isValidCreditCode('914403001922038217')).toBe(false);
    expect(isValidCreditCode('914403001922038226')).toBe(false);
    expect(isValidCreditCode('9144030019220382I6')).toBe(false);
    expect(isValidCreditCode('91440300192203821')).toBe(false);
    expect(() => creditCodeCheck('9144030019220382')).toThrow(RangeError);
  });

  it('composes valid codes', () => {
    const code = composeCreditCode('12', '360121', '12345678');
    expect(code).toMatch(/^12360121/);
    expect(isValidCreditCode(code)).toBe(true);
  });
});
