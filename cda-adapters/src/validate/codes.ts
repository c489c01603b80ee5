import { OID } from '../tables/identifiers.js';

/**
 * What the validator asks about coded values. The default knows the small national code
 * systems of the header; the server can plug in its terminology service instead.
 * `partial` means the code system is only partly loaded, so a miss is a warning, not an error
 * (a code not of the system's form, `CODE_FORMATS`, is an error whatever the checker says).
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
  // CDA R2's x_BasicConfidentialityKind, all in FHIR's required Composition.confidentiality binding.
  [OID.confidentiality]: new Set(['N', 'R', 'V']),
};

/**
 * The form of every code of large code systems. The validator applies it before any checker, so
 * a malformed code is an error even where the checker only knows part of the system (a miss
 * there is a warning); the default checker, which cannot list these systems, checks this only.
 * ICD-10 as the national clinical edition writes it: a letter, two digits, then optionally a
 * point, up to four digits or letters and an `x` extension (J06.900, J18.900x001), with a
 * dagger or asterisk mark. ICD-9-CM-3: two digits, optionally a point, up to four digits and an
 * `x` extension (51.2300x001).
 */
export const CODE_FORMATS: Readonly<Record<string, RegExp>> = {
  // The national clinical edition writes a lower-case x where a digit is left open (高血压 I10.x00).
  [OID.icd10]: /^[A-Z]\d{2}(\.[0-9A-Zx]{1,4}(x\d{3})?)?[+*]?$/,
  [OID.procedures]: /^\d{2}(\.\d{1,4})?(x\d{3})?$/,
};

export const defaultCodeChecker: CodeChecker = {
  check(codeSystem, code) {
    const known = KNOWN[codeSystem];
    if (known) return known.has(code) ? 'valid' : 'invalid';
    const format = CODE_FORMATS[codeSystem];
    if (format) return format.test(code) ? 'valid' : 'invalid';
    return 'unknown-system';
  },
};
