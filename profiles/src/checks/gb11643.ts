/**
 * GB 11643-1999 citizen identity number (公民身份号码): 6-digit GB/T 2260 division code of the
 * registered residence, birth date YYYYMMDD, 3-digit sequence (odd for men, even for women), and an
 * ISO 7064 MOD 11-2 check character. Shared by the seed generator (fhir-server) and the profile rules here.
 */

/** Weight of position i is 2^(17−i) mod 11 (ISO 7064 MOD 11-2). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character for each value of the weighted sum mod 11. */
const CHECK_CHARACTERS = '10X98765432';

const FIRST_17 = /^\d{17}$/;
const FULL = /^(\d{6})(\d{4})(\d{2})(\d{2})(\d{3})[\dX]$/;

/** The check character (a digit or 'X') for the first 17 digits. */
export function checkDigit(first17: string): string {
  if (!FIRST_17.test(first17)) throw new RangeError(`expected 17 digits, got "${first17}"`);
  let sum = 0;
  for (const [i, weight] of WEIGHTS.entries()) sum += (first17.charCodeAt(i) - 48) * weight;
  return CHECK_CHARACTERS.charAt(sum % 11);
}

export interface ResidentIdParts {
  /** GB/T 2260 code of the registered residence when the number was issued. */
  division: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  /** The three-digit sequence, whose parity gives the sex. */
  sequence: string;
  gender: 'male' | 'female';
}

/**
 * The parts of a valid 18-character number, or undefined when the format, the birth date (a real
 * calendar day) or the check character is wrong. The check character must be an upper-case 'X', as
 * the standard prints it; callers that accept user input should upper-case it first.
 */
export function parseResidentId(id: string): ResidentIdParts | undefined {
  const match = FULL.exec(id);
  if (!match) return undefined;
  const [, division, year, month, day, sequence] = match as unknown as [string, string, string, string, string, string];
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const realDay =
    date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  if (!realDay || checkDigit(id.slice(0, 17)) !== id.charAt(17)) return undefined;
  return {
    division,
    birthDate: `${year}-${month}-${day}`,
    sequence,
    gender: Number(sequence) % 2 === 1 ? 'male' : 'female',
  };
}

export function isValidResidentId(id: string): boolean {
  return parseResidentId(id) !== undefined;
}

/** Composes a number from its parts: division code, YYYY-MM-DD birth date and 3-digit sequence. */
export function composeResidentId(division: string, birthDate: string, sequence: string): string {
  const first17 = division + birthDate.replaceAll('-', '') + sequence;
  return first17 + checkDigit(first17);
}
