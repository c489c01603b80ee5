import { OID } from '../tables/identifiers.js';

/**
 * What the validator asks about coded values. The default knows the small national code
 * systems of the header; the server can plug in its terminology service instead.
 * `partial` means the code system is only partly loaded, so a miss is a warning, not an error.
 */
export interface CodeChecker {
  check(codeSystem: string, code: string): 'valid' | 'invalid' | 'unknown-system' | 'partial';
}

const RANGE = (from: number, to: number, width: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(width, '0'));

const KNOWN: Record<string, ReadonlySet<string>> = {
  // GB/T 2261.1 sex
  [OID.gender]: new Set(['0', '1', '2', '9']),
  // GB/T 2261.2 marital status
  [OID.maritalStatus]: new Set(['10', '20', '21', '22', '23', '30', '40', '90']),
  // GB/T 3304 ethnic groups: 01–56, plus 97 (other) and 98 (foreign-born Chinese)
  [OID.ethnicGroup]: new Set([...RANGE(1, 56, 2), '97', '98']),
  'urn:hl7:confidentiality': new Set(['N', 'R', 'V']),
  '2.16.840.1.113883.5.25': new Set(['N', 'R', 'V']),
};

/** Large code systems the default cannot list: it checks their code format only. */
const PARTIAL_FORMAT: Record<string, RegExp> = {
  [OID.icd10]: /^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?(\+|\*)?$/,
  [OID.procedures]: /^\d{2}(\.\d{1,4})?(x\d{3})?$/,
};

export const defaultCodeChecker: CodeChecker = {
  check(codeSystem, code) {
    const known = KNOWN[codeSystem];
    if (known) return known.has(code) ? 'valid' : 'invalid';
    const format = PARTIAL_FORMAT[codeSystem];
    if (format) return format.test(code) ? 'valid' : 'invalid';
    return 'unknown-system';
  },
};
