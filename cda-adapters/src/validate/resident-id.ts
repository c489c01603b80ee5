import { checkDigit } from '@qiao/profiles';

/** GB 11643 citizen identity number: 17 digits (region, birth date, sequence) and a check character. */
export const residentIdCheckChar = checkDigit;

/** Why a resident ID is invalid, or undefined when it is valid. */
export function residentIdProblem(id: string): { zh: string; en: string } | undefined {
  if (!/^\d{17}[\dX]$/.test(id)) return { zh: '应为 17 位数字加 1 位校验码（数字或 X）', en: 'must be 17 digits and a check character (digit or X)' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1850 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { zh: `出生日期 ${id.slice(6, 14)} 无效`, en: `birth date ${id.slice(6, 14)} is not a valid date` };
  const expected = checkDigit(id.slice(0, 17));
  if (id[17] !== expected) return { zh: `校验码应为 ${expected}`, en: `the check character should be ${expected}` };
  return undefined;
}
