import { isValidCreditCode } from '../checks/gb32100.js';
import { isValidResidentId } from '../checks/gb11643.js';

/**
 * Constraints whose check FHIRPath cannot state well (weighted check characters), by constraint
 * key. The StructureDefinition still carries a FHIRPath expression for other validators (the
 * number's form); this checker runs the rule instead, on the constrained element's value.
 */
export const NAMED_RULES: ReadonlyMap<string, (value: unknown) => boolean> = new Map([
  ['cn-pid-1', (value: unknown) => typeof value === 'string' && isValidResidentId(value)],
  ['cn-org-1', (value: unknown) => typeof value === 'string' && isValidCreditCode(value)],
]);
