/** GB 11643 citizen identity number: 17 digits (region, birth date, sequence) and a check character. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return CHECK[sum % 11] as string;
}

/** Why a resident ID is invalid, or undefined when it is valid. */
export function residentIdProblem(id: string): { zh: string; en: string } | undefined {
  if (!/^\d{17}[\dX]$/.test(id)) return { zh: '应为 17 位数字加 1 位校验码（数字或 X）', en: 'must be 17 digits and a check character (digit or X)' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1850 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { zh: `出生日期 ${id.slice(6, 14)} 无效`, en: `birth date ${id.slice(6, 14)} is not a valid date` };
  const expected = residentIdCheckChar(id);
  if (id[17] !== expected) return { zh: `校验码应为 ${expected}`, en: `the check character should be ${expected}` };
  return undefined;
}
