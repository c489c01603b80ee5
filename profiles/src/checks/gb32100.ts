/**
 * GB 32100-2015 unified social credit code (统一社会信用代码) of organisations, with the GB 11714
 * organisation code embedded in characters 9–17. Both end in a check character; the seed uses these
 * to give its organisations identifiers that pass the same validation as real ones.
 */

/** The 31 characters of the code (no I, O, Z, S, V), in value order. */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Weight of position i is 3^i mod 31. */
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** GB 11714 check character of an 8-character organisation code body (digits and A–Z count 10–35). */
export function organizationCodeCheck(body: string): string {
  if (!/^[0-9A-Z]{8}$/.test(body)) throw new RangeError(`expected 8 digits or capital letters, got "${body}"`);
  let sum = 0;
  for (const [i, weight] of ORG_WEIGHTS.entries()) sum += Number.parseInt(body.charAt(i), 36) * weight;
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** GB 32100 check character of the first 17 characters. */
export function creditCodeCheck(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`expected 17 characters, got "${first17}"`);
  let sum = 0;
  for (const [i, weight] of CREDIT_WEIGHTS.entries()) {
    const value = CHARSET.indexOf(first17.charAt(i));
    if (value < 0) throw new RangeError(`"${first17.charAt(i)}" cannot appear in a credit code`);
    sum += value * weight;
  }
  return CHARSET.charAt((31 - (sum % 31)) % 31);
}

/** True when both the embedded organisation code and the whole code carry correct check characters. */
export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{8}[0-9X][0-9A-HJ-NPQRTUWXY]$/.test(code)) return false;
  return organizationCodeCheck(code.slice(8, 16)) === code.charAt(16) && creditCodeCheck(code.slice(0, 17)) === code.charAt(17);
}

/** A code for an organisation registered by `authority` (e.g. '12': 机构编制, 事业单位) in `division`. */
export function composeCreditCode(authority: string, division: string, orgBody: string): string {
  const first17 = authority + division + orgBody + organizationCodeCheck(orgBody);
  return first17 + creditCodeCheck(first17);
}
