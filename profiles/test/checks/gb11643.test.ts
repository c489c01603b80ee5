import { checkDigit, composeResidentId, isValidResidentId, parseResidentId } from '../../src/checks/gb11643.js';

/** Written out from the standard, independently of the module: Σ aᵢ·Wᵢ mod 11 → '10X98765432'. */
function referenceCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(first17[i]), 0);
  return '10X98765432'[sum % 11] as string;
}

describe('GB 11643 resident ID numbers', () => {
  it('computes the published examples', () => {
    // The example of GB 11643-1999 itself; its check character is X.
    expect(checkDigit('11010519491231002')).toBe('X');
    expect(isValidResidentId('11010519491231002X')).toBe(true);
    // Weighted sum 167, 167 mod 11 = 2 → 'X'; a woman, as the 17th digit (2) is even.
    expect(parseResidentId('11010519491231002X')).toEqual({
      division: '110105',
      birthDate: '1949-12-31',
      sequence: '002',
      gender: 'female',
    });
    expect(checkDigit('44052418800101001')).toBe('4');
  });

  it('agrees with an independent implementation on many numbers', () => {
    for (let n = 0; n < 2000; n++) {
      const first17 = `3601021990${String(n).padStart(7, '0')}`;
      expect(checkDigit(first17)).toBe(referenceCheck(first17));
    }
  });

  it('rejects wrong check characters, impossible dates and bad formats', () => {
    expect(isValidResidentId('110105194912310021')).toBe(false);
    expect(isValidResidentId('11010519491231002x')).toBe(false);
    // 1990 was not a leap year: the check character is right, the date is not.
    expect(parseResidentId(`11010519900229001${referenceCheck('11010519900229001')}`)).toBeUndefined();
    expect(isValidResidentId(`11010519901301001${referenceCheck('11010519901301001')}`)).toBe(false);
    expect(isValidResidentId('11010519491231002')).toBe(false);
    expect(() => checkDigit('1101051949123100')).toThrow(RangeError);
  });

  it('composes numbers that parse back to their parts', () => {
    const id = composeResidentId('360121', '2000-02-29', '135');
    expect(id).toHaveLength(18);
    expect(parseResidentId(id)).toEqual({ division: '360121', birthDate: '2000-02-29', sequence: '135', gender: 'male' });
  });
});
